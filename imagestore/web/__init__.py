"""The store over HTTP: the blueprint (``blueprint``) and its routes (the pages, the JSON
API, serving images, direct uploads, the probes), and what runs around their requests
(errors, security headers, who may read and write, size limits)."""
