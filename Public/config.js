// Where the Punchlist API lives. "" means the same origin that served this page.
// Hosting these files elsewhere (Vercel, any static host)? Put the API's full URL here,
// e.g. "https://api.example.com", and list this site's origin in the server's CORS_ORIGINS.
window.PUNCHLIST_API = "";
