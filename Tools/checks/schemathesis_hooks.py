"""Schemathesis hooks for the Assent API: manifests are NDJSON, sent as plain text lines."""
import schemathesis

schemathesis.serializer.alias("application/x-ndjson", "text/plain")
