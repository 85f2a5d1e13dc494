// Draws the page's Vega-Lite charts: each element with a data-spec attribute names the json_script element
// that holds its spec; data-width="container" makes the chart as wide as its box (css/charts.css).
//
// The Content-Security-Policy allows neither eval nor injected <style> elements (docs/security.md), so the
// specs are run by Vega's expression interpreter (ast: true) rather than compiled into functions, and the
// styles vega-embed and its tooltip would inject come from css/charts.css instead.
document.querySelectorAll("[data-spec]").forEach(function (box) {
  var spec = JSON.parse(document.getElementById(box.dataset.spec).textContent);
  if (box.dataset.width) {
    // In the spec: vega-embed's own width option takes numbers only, and "container" there drew NaN.
    spec.width = box.dataset.width;
  }
  var options = {actions: false, renderer: "svg", ast: true, defaultStyle: false,
                 tooltip: {disableDefaultStyle: true}};
  vegaEmbed(box, spec, options).catch(function (error) {
    box.textContent = "The chart could not be drawn: " + error;
  });
});
