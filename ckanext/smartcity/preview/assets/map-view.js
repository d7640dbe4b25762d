/* The map view of a GeoJSON resource (docs/previews.md).
 *
 * Reads the file from a path on this portal only (the template passes no
 * other address), refuses files above the configured size, and draws points
 * as circle markers, lines and polygons fitted to their bounds. Feature
 * properties go into popups as text nodes, never as HTML. Without a tile
 * URL there is no base map: the data draws on a plain background and the
 * page makes no request beyond the portal. */
this.ckan.module('smartcity-map', function ($) {
  'use strict';

  var STYLE = {color: '#0b4f8a', weight: 3, opacity: 0.9, fillColor: '#2f7fc1', fillOpacity: 0.3};
  var POINT = {radius: 6, color: '#ffffff', weight: 1.5, fillColor: '#0b4f8a', fillOpacity: 0.9};
  var MAX_PROPERTIES = 40;
  var GERMANY = [[47.2, 5.8], [55.1, 15.1]];

  function text(value) {
    if (value === null || value === undefined) { return ''; }
    if (typeof value === 'object') { return JSON.stringify(value); }
    return String(value);
  }

  function popupContent(properties) {
    var list = document.createElement('dl');
    list.className = 'smartcity-map-popup';
    Object.keys(properties).slice(0, MAX_PROPERTIES).forEach(function (key) {
      var term = document.createElement('dt');
      var detail = document.createElement('dd');
      term.textContent = key;
      detail.textContent = text(properties[key]);
      list.appendChild(term);
      list.appendChild(detail);
    });
    return list;
  }

  return {
    options: {
      url: null,
      maxBytes: 5242880,
      tileUrl: '',
      attribution: '',
      tooLarge: '',
      failed: '',
      empty: ''
    },

    initialize: function () {
      var container = this.el.find('.smartcity-map')[0];
      this.message = this.el.find('.smartcity-map-message');
      this.map = L.map(container, {attributionControl: false, zoomSnap: 0.5});
      this.map.fitBounds(GERMANY);
      // CKAN reads an empty data-module-* attribute as true: strings only
      var tileUrl = typeof this.options.tileUrl === 'string' ? this.options.tileUrl : '';
      var attribution = typeof this.options.attribution === 'string' ? this.options.attribution : '';
      if (tileUrl) {
        L.tileLayer(tileUrl, {maxZoom: 19}).addTo(this.map);
        if (attribution) {
          // Leaflet inserts attributions as HTML: pass the configured text escaped
          L.control.attribution({prefix: false})
            .addAttribution($('<span>').text(attribution).html())
            .addTo(this.map);
        }
      }
      this.load();
    },

    load: function () {
      var self = this;
      var max = Number(this.options.maxBytes) || 5242880;
      fetch(String(this.options.url), {credentials: 'same-origin', redirect: 'error'})
        .then(function (response) {
          if (!response.ok) { throw new Error('HTTP ' + response.status); }
          var length = Number(response.headers.get('Content-Length'));
          if (length > max) { throw {tooLarge: true}; }
          return response.text();
        })
        .then(function (body) {
          if (body.length > max) { throw {tooLarge: true}; }
          self.draw(JSON.parse(body));
        })
        .catch(function (error) {
          self.show(error && error.tooLarge ? self.options.tooLarge : self.options.failed);
        });
    },

    draw: function (data) {
      var layer = L.geoJSON(data, {
        // applied to every layer, circle markers included: points keep theirs
        style: function (feature) {
          var type = feature && feature.geometry && feature.geometry.type;
          return type === 'Point' || type === 'MultiPoint' ? POINT : STYLE;
        },
        pointToLayer: function (feature, latlng) { return L.circleMarker(latlng, POINT); },
        onEachFeature: function (feature, item) {
          var properties = feature && feature.properties;
          if (properties && typeof properties === 'object' && Object.keys(properties).length) {
            item.bindPopup(popupContent(properties), {maxWidth: 280});
          }
        }
      }).addTo(this.map);
      var count = layer.getLayers().length;
      this.el.attr('data-features', count);
      var bounds = layer.getBounds();
      if (!count || !bounds.isValid()) {
        this.show(this.options.empty);
        return;
      }
      this.map.fitBounds(bounds, {padding: [16, 16], maxZoom: 17});
    },

    show: function (message) {
      this.message.find('p').text(String(message));
      this.message.prop('hidden', false);
    }
  };
});
