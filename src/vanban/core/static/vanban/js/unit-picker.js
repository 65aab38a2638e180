// A filter box above every long unit picker (docs/accounts.md, "Unit pickers"): typing part of a
// unit's name, of a unit above it or of its agency code, with or without diacritics, leaves only
// the matching options. The select itself is unchanged: without script it works as before, and
// options hidden by the filter keep their selection. A long list of checkboxes (vanban.core.forms
// .CheckboxList: units, or people and units to choose several of) gets the same box, which hides
// the checkboxes that do not match; ticked ones stay ticked.
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

  // The filter box, its count, and the filtering of `rows` ({element, always, text}) and of the
  // `groups` holding them, put above `target`.
  function addFilter(target, rows, groups, isGroupItem, labelText, units) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "unit-filter";
    box.autocomplete = "off";
    box.placeholder = units ? "Lọc theo tên đơn vị hoặc mã định danh" : "Lọc theo tên";
    if (target.id) {
      box.id = target.id + "_filter";
      box.setAttribute("aria-controls", target.id);
    }
    box.setAttribute(
      "aria-label",
      "Lọc danh sách " + (labelText || (units ? "đơn vị" : "lựa chọn"))
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
        row.element.hidden = !match;
        if (match && !row.always) {
          shown += 1;
        }
      });
      Array.prototype.forEach.call(groups, function (group) {
        group.hidden = !Array.prototype.some.call(group.children, function (item) {
          return isGroupItem(item) && !item.hidden;
        });
      });
      count.textContent = words.length
        ? shown + (units ? " đơn vị phù hợp" : " lựa chọn phù hợp")
        : "";
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
    target.parentNode.insertBefore(holder, target);
  }

  function enhance(select) {
    if (select.dataset.unitFilter === "on" || select.options.length < MIN_OPTIONS) {
      return;
    }
    select.dataset.unitFilter = "on";
    var rows = Array.prototype.map.call(select.options, function (option) {
      return {
        element: option,
        always: option.value === "",
        text: fold(option.text + " " + (option.dataset.code || "")),
      };
    });
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    addFilter(
      select,
      rows,
      select.querySelectorAll("optgroup"),
      function (item) {
        return item.tagName === "OPTION";
      },
      label ? label.textContent.trim() : "",
      true
    );
  }

  // A list of checkboxes as Django renders it: <div class="choice-list"> holding one <div> a
  // choice (<label><input> name</label>), or one <div> a group (<label>group</label> then one
  // <div> a choice).
  function enhanceList(list) {
    var inputs = list.querySelectorAll("input[type=checkbox]");
    if (list.dataset.unitFilter === "on" || inputs.length < MIN_OPTIONS) {
      return;
    }
    list.dataset.unitFilter = "on";
    var units = false;
    var rows = Array.prototype.map.call(inputs, function (input) {
      var label = input.closest("label");
      units = units || input.hasAttribute("data-unit-picker");
      return {
        element: label.parentNode,
        always: false,
        text: fold((label ? label.textContent : "") + " " + (input.dataset.code || "")),
      };
    });
    var groups = Array.prototype.filter.call(list.children, function (child) {
      var first = child.firstElementChild;
      return first && first.tagName === "LABEL" && !first.querySelector("input");
    });
    var fieldset = list.closest("fieldset");
    var legend = fieldset && fieldset.querySelector("legend");
    addFilter(
      list,
      rows,
      groups,
      function (item) {
        return item.tagName === "DIV";
      },
      legend ? legend.textContent.trim() : "",
      units
    );
  }

  function scan(root) {
    Array.prototype.forEach.call(root.querySelectorAll("select[data-unit-picker]"), enhance);
    Array.prototype.forEach.call(root.querySelectorAll("div.choice-list"), enhanceList);
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
