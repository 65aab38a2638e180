// A leader's direction templates (mẫu ý kiến chỉ đạo): picking one in a <select data-fills="x">
// writes its text into the form's field "x" (after what is already typed), ready to be edited.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-fills]") || !select.value) {
      return;
    }
    var field = select.form && select.form.elements[select.getAttribute("data-fills")];
    if (!field) {
      return;
    }
    var typed = field.value.replace(/\s+$/, "");
    field.value = typed ? typed + "\n" + select.value : select.value;
    select.value = "";
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.focus();
  });
})();
