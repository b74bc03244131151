"""The OCI distribution protocol: references, auth, a small HTTP client, push and pull.

Modules: ``reference`` (parse ``docker://host/name:tag``), ``auth`` (credentials and the
``WWW-Authenticate`` challenge flow), ``client`` (HTTP API v2 with retries), ``push`` and
``pull`` (whole images), ``cache`` (the offline base-image cache and the diff_id -> compressed
blob map).
"""
