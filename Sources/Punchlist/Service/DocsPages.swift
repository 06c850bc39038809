/// The HTML pages over the OpenAPI document. Swagger UI and ReDoc load from a CDN in the
/// visitor's browser; the server itself needs nothing from outside.
enum DocsPages {
    static let swaggerUI = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Punchlist API</title>
        <link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css"></head>
        <body><div id="swagger-ui"></div>
        <script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
        <script>window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", persistAuthorization: true});</script>
        </body></html>
        """

    static let redoc = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Punchlist API</title></head>
        <body><redoc spec-url="/openapi.json"></redoc>
        <script src="https://cdn.jsdelivr.net/npm/redoc@2/bundles/redoc.standalone.js"></script>
        </body></html>
        """

    static let landing = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Punchlist</title></head>
        <body><main><h1>Punchlist</h1><p>The API is running. Read the <a href="/docs">API documentation</a>.</p></main></body></html>
        """
}
