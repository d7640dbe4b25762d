/* High-value datasets in the dataset form: while the HVD category select
 * has a value, the hint the template renders (package_form.html) is shown
 * and the inputs HVD additionally requires carry a visible "Für HVD
 * erforderlich" badge; while it has none, the hint is hidden (it concerns
 * only HVD datasets). The fields and the badge text come from the hint.
 * Without JavaScript the hint stays visible and says the same in words. */
this.ckan.module("smartcity-hvd-marker", function ($) {
  "use strict";
  return {
    options: { fields: "", label: "Für HVD erforderlich", select: "hvd_category" },

    initialize: function () {
      this.form = this.el.closest("form");
      this.fields = String(this.options.fields).split(/\s+/).filter(Boolean);
      this.form.on("change", "[name='" + this.options.select + "']", this._update.bind(this));
      this._update();
    },

    _chosen: function () {
      var chosen = false;
      this.form.find("[name='" + this.options.select + "']").each(function () {
        var value = this.type === "checkbox" ? (this.checked ? this.value : "") : $(this).val();
        if ($.isArray(value) ? value.filter(Boolean).length : value) { chosen = true; }
      });
      return chosen;
    },

    _update: function () {
      var chosen = this._chosen();
      var label = this.options.label;
      this.el.toggleClass("smartcity-hvd-active", chosen);
      this.el.prop("hidden", !chosen);
      $.each(this.fields, function (_i, name) {
        var wrapper = this.form.find(".smartcity-field[data-field='" + name + "']");
        var badge = wrapper.children(".smartcity-hvd-badge");
        if (!badge.length) {
          badge = $("<span class='badge bg-warning text-dark smartcity-hvd-badge'></span>")
            .text(label).prependTo(wrapper);
        }
        badge.prop("hidden", !chosen);
        wrapper.toggleClass("smartcity-hvd-required", chosen);
      }.bind(this));
    }
  };
});
