// The cluster menu is a <details> element, open in the page as served; on a narrow screen it starts
// closed behind its "Menu" button and opens on a tap. A file, not inline script: the
// Content-Security-Policy refuses inline script (docs/security.md).
(function () {
  const menu = document.querySelector(".cluster-menu details");
  if (!menu) return;
  const wide = window.matchMedia("(min-width: 48em)");
  const follow = () => { menu.open = wide.matches; };
  follow();
  wide.addEventListener("change", follow);
})();
