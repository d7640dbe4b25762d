/* Smart City category picker: a search box over the tree of check boxes and
 * a live preview of the EU data themes the checked categories imply.
 * Without JavaScript the tree works as plain check boxes. */
this.ckan.module("smartcity-category-picker", function ($) {
  "use strict";
  return {
    options: { themeLabels: {} },

    initialize: function () {
      var el = this.el;
      this.search = el.find(".smartcity-category-search");
      this.search.prop("hidden", false);
      this.search.on("input", this._filter.bind(this));
      el.on("change", "input[type=checkbox]", this._derive.bind(this));
      this._derive();
    },

    _filter: function () {
      var words = (this.search.val() || "").toLowerCase().trim().split(/\s+/).filter(Boolean);
      var matches = function (li) {
        var text = li.getAttribute("data-search") || "";
        return words.every(function (w) { return text.indexOf(w) !== -1; });
      };
      var shown = 0;
      this.el.find(".smartcity-category-top").each(function () {
        var top = this;
        var any = false;
        $(top).find(".smartcity-category-children > li").each(function () {
          var show = !words.length || matches(this);
          this.hidden = !show;
          any = any || show;
        });
        top.hidden = !any;
        if (any) { shown += 1; }
        var details = top.querySelector("details");
        if (words.length) {
          details.open = any;
        } else {
          // back to the steward's view: open where something is ticked
          details.open = details.querySelector("input:checked") !== null;
        }
      });
      this.el.find(".smartcity-category-none").prop("hidden", shown > 0);
    },

    _derive: function () {
      var labels = this.options.themeLabels || {};
      var seen = [];
      this.el.find("input[type=checkbox]:checked").each(function () {
        (this.getAttribute("data-themes") || "").split(" ").forEach(function (uri) {
          if (uri && seen.indexOf(uri) === -1) { seen.push(uri); }
        });
      });
      this.el.find(".smartcity-category-top").each(function () {
        var count = $(this).find("input:checked").length;
        var badge = $(this).find(".smartcity-category-selected");
        badge.text((badge.attr("data-template") || "COUNT").replace("COUNT", count));
        badge.prop("hidden", count === 0);
      });
      var list = this.el.find(".smartcity-derived-themes-list");
      list.text(seen.length ? seen.map(function (u) { return labels[u] || u; }).join(", ")
                            : list.attr("data-empty"));
    }
  };
});
