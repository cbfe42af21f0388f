// The office change form (offices/admin/layout.py): focus the first error, and
// warn before leaving the page with unsaved changes. A static file: the
// admin's Content-Security-Policy allows no inline script.
"use strict";

// Django's own widgets, made to pass a WCAG audit (axe-core). The two-box
// selector (SelectFilter2.js, built on "load") puts aria-label on a role-less
// <span>, which ARIA forbids: it is an icon, so it gets role="img". The
// tags' autocomplete (select2) renders its search box without a label, and
// again after every choice: each gets the field's own label.
function labelWidgets(form) {
    for (const icon of form.querySelectorAll(".search-label-icon[aria-label]:not([role])")) {
        icon.setAttribute("role", "img");
    }
    for (const search of form.querySelectorAll(".select2-search__field:not([aria-label])")) {
        const row = search.closest(".form-row, .fieldBox");
        const label = row && row.querySelector("label");
        if (label) {
            search.setAttribute("aria-label", label.textContent.replace(/:\s*$/, "").trim());
        }
    }
}

window.addEventListener("load", () => {
    const form = document.getElementById("office_form");
    if (!form) {
        return;
    }
    // After the widgets' own "load" handlers, which ran before this one or
    // run in this same turn.
    setTimeout(() => labelWidgets(form), 0);
    new MutationObserver(() => labelWidgets(form)).observe(form, {
        childList: true,
        subtree: true,
    });
});

document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("office_form");
    if (!form) {
        return;
    }

    // The first field with an error, in the order of the page, gets the
    // focus; without one (an error about the whole form), the error note.
    const firstError = form.querySelector(
        ".errors input:not([type=hidden]), .errors select, .errors textarea, " +
        ".errorlist + input:not([type=hidden]), .errorlist + select, .errorlist + textarea, " +
        ".errorlist + label + input, .errorlist + label + select, .errorlist + label + textarea"
    );
    const note = form.querySelector(".errornote");
    if (firstError) {
        firstError.focus();
    } else if (note) {
        note.setAttribute("tabindex", "-1");
        note.focus();
    }

    // Unsaved changes: any edit by the person marks the form; its own
    // submit (save, publish) does not warn.
    let dirty = false;
    let submitting = false;
    const markDirty = (event) => {
        if (event.isTrusted) {
            dirty = true;
        }
    };
    form.addEventListener("input", markDirty);
    form.addEventListener("change", markDirty);
    form.addEventListener("submit", () => {
        submitting = true;
    });
    window.addEventListener("beforeunload", (event) => {
        if (dirty && !submitting) {
            event.preventDefault();
            // Older browsers show the dialog only when returnValue is set.
            event.returnValue = "";
        }
    });
});
