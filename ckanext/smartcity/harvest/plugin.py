"""The ``smartcity_harvester`` plugin: the DCAT-AP.de harvester (source type
``dcat_ap_de``), the source URL check on save, and the harvest warnings in
job statistics, job pages and dataset pages. It needs ckanext-harvest
(``pip install ckanext-smartcity[harvest]``); the main plugin does not."""
from __future__ import annotations

import ckan.plugins as plugins

from ckanext.smartcity.harvest import harvester, sources
from ckanext.smartcity.harvest.harvester import DCATAPDEHarvester


class SmartcityHarvesterPlugin(DCATAPDEHarvester):
    plugins.implements(plugins.IActions)
    plugins.implements(plugins.ITemplateHelpers)

    def get_actions(self):
        return {**sources.get_actions(), **harvester.get_report_actions()}

    def get_helpers(self):
        return harvester.get_helpers()
