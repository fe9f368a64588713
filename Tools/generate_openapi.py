#!/usr/bin/env python3
"""Writes Sources/AssentServer/OpenAPIDocument.swift from Schemas/openapi.yaml (the document, as
compact JSON with sorted keys, that the server answers GET /openapi.json with).

    python3 Tools/generate_openapi.py          # regenerate
    python3 Tools/generate_openapi.py --check  # exit 1 when the Swift copy is out of date
"""
import json
import pathlib
import sys

import yaml

root = pathlib.Path(__file__).resolve().parent.parent
document = yaml.safe_load((root / "Schemas/openapi.yaml").read_text())
text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
swift = f'''/// The OpenAPI 3.1 document of the API, generated from Schemas/openapi.yaml by
/// Tools/generate_openapi.py (do not edit by hand; CI checks that the two agree).
enum OpenAPIDocument {{
    /// The document as JSON.
    static let json = #"""
        {text}
        """#
}}
'''
target = root / "Sources/AssentServer/OpenAPIDocument.swift"
if "--check" in sys.argv:
    if not target.exists() or target.read_text() != swift:
        sys.exit("openapi: Sources/AssentServer/OpenAPIDocument.swift is out of date; run python3 Tools/generate_openapi.py")
    print("openapi: the served document matches Schemas/openapi.yaml")
else:
    target.write_text(swift)
