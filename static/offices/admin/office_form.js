// The office change form (offices/admin/layout.py): fold the long sections to
// their summary line, open a section from the menu, focus the first error,
// open a saved page at its message, and warn before leaving the page with
// unsaved changes. A static file: the admin's Content-Security-Policy allows
// no inline script. Without it every section is open and every button works.
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

// A section open (its fields shown) or folded (its summary line shown).
function setOpen(section, open) {
    const body = section.querySelector(".section-body");
    const button = section.querySelector(".section-toggle");
    body.hidden = !open;
    section.classList.toggle("is-folded", !open);
    button.setAttribute("aria-expanded", String(open));
    button.firstChild.textContent = open ? button.dataset.closeLabel : button.dataset.openLabel;
}

// The section a link or the address points to (#section-profile), if any.
function sectionOf(hash) {
    const target = hash && hash.length > 1 && document.getElementById(decodeURIComponent(hash.slice(1)));
    return target && target.closest(".form-section");
}

// Long sections (data-folded: never one holding an error) fold until they
// are opened; the one the address names stays open. After "load": Django's
// two-box selector measures its boxes then, which a folded section would
// give no height.
function foldSections(form) {
    const named = sectionOf(window.location.hash);
    for (const button of form.querySelectorAll(".section-toggle")) {
        const section = button.closest(".form-section");
        button.hidden = false;
        button.addEventListener("click", () => {
            setOpen(section, section.classList.contains("is-folded"));
        });
        setOpen(section, !section.hasAttribute("data-folded") || section === named);
    }
    const open = (hash) => {
        const section = sectionOf(hash);
        if (section && section.classList.contains("is-folded")) {
            setOpen(section, true);
        }
    };
    // The menu opens its section before the browser scrolls to it.
    for (const link of document.querySelectorAll(".form-sections a")) {
        link.addEventListener("click", () => open(link.hash));
    }
    window.addEventListener("hashchange", () => open(window.location.hash));
}

window.addEventListener("load", () => {
    const form = document.getElementById("office_form");
    if (!form) {
        return;
    }
    // After the widgets' own "load" handlers, which ran before this one or
    // run in this same turn.
    setTimeout(() => {
        labelWidgets(form);
        foldSections(form);
    }, 0);
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
