// Starts Swagger UI on the API docs page (a file rather than an inline script, so that the
// page passes the app's Content-Security-Policy, which allows scripts from this site only).
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof SwaggerUIBundle === "undefined") { return; }
  SwaggerUIBundle({
    url: root.dataset.openapi,
    domNode: root,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // Deep links put a link inside each operation's expand button, which screen readers
    // cannot reach as two controls (axe: nested-interactive).
    deepLinking: false,
    validatorUrl: null  // the default sends the spec's address to validator.swagger.io
  });
}());
