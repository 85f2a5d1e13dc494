// The site's small behaviours, in a file: the Content-Security-Policy refuses inline script (docs/security.md).
(function () {
  // The cluster menu is a <details> element, open in the page as served; on a narrow screen it starts
  // closed behind its "Menu" button and opens on a tap.
  const menu = document.querySelector(".cluster-menu details");
  if (menu) {
    const wide = window.matchMedia("(min-width: 48em)");
    const follow = () => { menu.open = wide.matches; };
    follow();
    wide.addEventListener("change", follow);
  }
  // A box that scrolls sideways (a wide grid on a phone) can be scrolled from the keyboard.
  for (const box of document.querySelectorAll(".table-scroll")) {
    box.tabIndex = 0;
  }
})();
