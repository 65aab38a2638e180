// A filter box above every long unit picker (docs/accounts.md, "Unit pickers"): typing part of a
// unit's name, of a unit above it or of its agency code, with or without diacritics, leaves only
// the matching options. The select itself is unchanged: without script it works as before, and
// options hidden by the filter keep their selection.
(function () {
  "use strict";
  var MIN_OPTIONS = 16; // shorter lists are read at a glance
  var COMBINING = /[\u0300-\u036f]/g;

  // The same folding as vanban.core.text.fold: no diacritics, đ -> d, lower case, single spaces.
  function fold(text) {
    return text
      .replace(/[đĐ]/g, "d")
      .normalize("NFD")
      .replace(COMBINING, "")
      .toLowerCase()
      .replace(/\s+/g, " ")
      .trim();
  }

  function enhance(select) {
    if (select.dataset.unitFilter === "on" || select.options.length < MIN_OPTIONS) {
      return;
    }
    select.dataset.unitFilter = "on";
    var rows = Array.prototype.map.call(select.options, function (option) {
      return {
        option: option,
        always: option.value === "",
        text: fold(option.text + " " + (option.dataset.code || "")),
      };
    });
    var groups = select.querySelectorAll("optgroup");

    var box = document.createElement("input");
    box.type = "search";
    box.className = "unit-filter";
    box.autocomplete = "off";
    box.placeholder = "Lọc theo tên đơn vị hoặc mã định danh";
    if (select.id) {
      box.id = select.id + "_filter";
      box.setAttribute("aria-controls", select.id);
    }
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    box.setAttribute(
      "aria-label",
      "Lọc danh sách " + (label ? label.textContent.trim() : "đơn vị")
    );
    var count = document.createElement("span");
    count.className = "unit-filter-count muted";
    count.setAttribute("aria-live", "polite");

    function apply() {
      var words = fold(box.value).split(" ").filter(Boolean);
      var shown = 0;
      rows.forEach(function (row) {
        var match =
          row.always ||
          words.every(function (word) {
            return row.text.indexOf(word) !== -1;
          });
        row.option.hidden = !match;
        if (match && !row.always) {
          shown += 1;
        }
      });
      Array.prototype.forEach.call(groups, function (group) {
        group.hidden = !Array.prototype.some.call(group.children, function (option) {
          return !option.hidden;
        });
      });
      count.textContent = words.length ? shown + " đơn vị phù hợp" : "";
    }

    box.addEventListener("input", apply);
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault(); // filtering, not submitting the form
      }
    });
    var holder = document.createElement("div");
    holder.className = "unit-filter-box";
    holder.appendChild(box);
    holder.appendChild(count);
    select.parentNode.insertBefore(holder, select);
  }

  function scan(root) {
    Array.prototype.forEach.call(root.querySelectorAll("select[data-unit-picker]"), enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      scan(document);
    });
  } else {
    scan(document);
  }
  // Parts of a page htmx swaps in.
  document.addEventListener("htmx:load", function (event) {
    if (event.target && event.target.querySelectorAll) {
      scan(event.target);
    }
  });
})();
