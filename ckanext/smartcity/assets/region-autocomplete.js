/* Region picker: CKAN's autocomplete module, but a chosen region shows its
 * name ("Dinslaken (Gemeinde, Wesel, ...)") instead of the stored URI.
 *
 * data-module-labels: JSON object {uri: label} for the values already stored.
 */
this.ckan.module('smartcity-region-autocomplete', function ($) {
  var base = ckan.module.registry['autocomplete'].prototype;
  return $.extend({}, base, {
    options: $.extend({}, base.options, {labels: {}}),

    // remember the name of every suggestion, so the chip of a chosen one
    // (rebuilt by CKAN's module from the stored URIs) shows it
    _onQuery: function (options) {
      if (!options) {
        return;
      }
      var labels = this.options.labels;
      var callback = options.callback;
      this.lookup(options.term, function (data) {
        $.each((data && data.results) || [], function (index, item) {
          if (item && item.id) {
            labels[item.id] = item.text;
          }
        });
        callback(data);
      });
    },

    formatTerm: function (term) {
      var item = base.formatTerm.call(this, term);
      if (item && this.options.labels[item.id]) {
        item.text = this.options.labels[item.id];
      }
      return item;
    }
  });
});
