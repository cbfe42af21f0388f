// Starts Swagger UI on /api/v1/docs/ (templates/api/docs.html). A file of
// its own, not an inline script: the Content-Security-Policy forbids those.
"use strict";

(function () {
  const container = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: container.dataset.schemaUrl,
    domNode: container,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    // No request to the public validator service: everything stays here.
    validatorUrl: null,
    // The API is anonymous: requests carry no cookie.
    requestInterceptor: (request) => {
      request.credentials = "omit";
      return request;
    },
  });
})();
