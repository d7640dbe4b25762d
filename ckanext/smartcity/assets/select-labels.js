/* CKAN's autocomplete fields (select2) put an unlabelled combobox in front
 * of the labelled input they hide: give it the input's label, so screen
 * readers announce "Schlagworte" instead of nothing (axe: aria-input-field-name).
 * CKAN initialises its modules after fetching its translations, so the
 * comboboxes are labelled whenever they appear. */
(function () {
  function label() {
    document.querySelectorAll('.select2-container [role="combobox"]:not([aria-label])')
      .forEach(function (combobox) {
        var container = combobox.closest('.select2-container');
        var input = container.previousElementSibling;
        while (input && !input.id) {
          input = input.previousElementSibling;
        }
        var text = input && document.querySelector('label[for="' + input.id + '"]');
        if (text) {
          combobox.setAttribute('aria-label', text.textContent.replace(/\s+/g, ' ').trim());
        }
      });
  }
  new MutationObserver(label).observe(document.documentElement, {childList: true, subtree: true});
  document.addEventListener('DOMContentLoaded', label);
})();
