(function () {
  "use strict";
  function setAll(open) {
    var ds = document.querySelectorAll("details.passage");
    for (var i = 0; i < ds.length; i++) { ds[i].open = open; }
  }
  var ex = document.getElementById("expand-all");
  var co = document.getElementById("collapse-all");
  if (ex) { ex.addEventListener("click", function () { setAll(true); }); }
  if (co) { co.addEventListener("click", function () { setAll(false); }); }
})();
