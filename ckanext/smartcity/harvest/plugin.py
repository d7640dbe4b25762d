"""The ``smartcity_harvester`` plugin: the DCAT-AP.de harvester (source type
``dcat_ap_de``) plus the source URL check on save. It needs ckanext-harvest
(``pip install ckanext-smartcity[harvest]``); the main plugin does not."""
from __future__ import annotations

import ckan.plugins as plugins

from ckanext.smartcity.harvest import sources
from ckanext.smartcity.harvest.harvester import DCATAPDEHarvester


class SmartcityHarvesterPlugin(DCATAPDEHarvester):
    plugins.implements(plugins.IActions)

    def get_actions(self):
        return sources.get_actions()
