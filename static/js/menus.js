// Action menus (<details class="action-menu">: "More" beside a card's actions). Without this file
// they open and close as any <details>; with it, Escape closes an open menu (focus back on its
// button), and a click elsewhere or opening another menu closes it.
(function () {
  "use strict";

  function openMenus() {
    return Array.prototype.slice.call(document.querySelectorAll("details.action-menu[open]"));
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    openMenus().forEach(function (menu) {
      if (!menu.contains(document.activeElement)) { return; }
      menu.open = false;
      menu.querySelector("summary").focus();
      event.preventDefault();
    });
  });

  document.addEventListener("click", function (event) {
    openMenus().forEach(function (menu) {
      if (!menu.contains(event.target)) { menu.open = false; }
    });
  });
})();
