public import AssentEngine
public import AssentLog

extension ExplorerPages {
    /// `/verify`: a form to upload a proof bundle.
    public static func verifyForm() -> String {
        H.render(
            title: "Verify a provenance proof",
            body: """
                <p>Upload a proof bundle (<code>assent prove MODEL --bundle FILE</code>, or the model page's \
                download). It is checked as <code>assent verify</code> checks it, against this ledger's keys and \
                the model files this server holds (or the digest manifest you upload), and the result is shown \
                step by step.</p>
                <form method="post" action="/verify" enctype="multipart/form-data">
                <label for="bundle">Proof bundle (JSON)</label><input id="bundle" name="bundle" type="file" accept=".json,application/json" required>
                <label for="manifest">Optional: the model folder's digest manifest (<code>sha256sum *</code> run in it), to check your own copy of the model instead of this server's</label><input id="manifest" name="manifest" type="file">
                <p><button type="submit">Verify</button></p></form>
                """)
    }

    /// The outcome of `/verify`, step by step (`assent verify --json`'s object).
    public static func verifyResult(_ outcome: JSONObject) -> String {
        let steps = (outcome["steps"]?.arrayValue ?? []).compactMap(\.objectValue)
        var rows = steps.map {
            [
                "<span class=\"ok\">✓ ok</span>", H.escape($0["step"]?.stringValue ?? ""),
                H.escape($0["detail"]?.stringValue ?? ""),
            ]
        }
        if let failed = outcome["failed_step"]?.stringValue {
            rows.append([
                "<span class=\"fail\">✗ FAIL</span>", H.escape(failed), H.escape(outcome["error"]?.stringValue ?? ""),
            ])
        }
        let verdict =
            outcome["valid"]?.boolValue == true
            ? "<p class=\"ok\" id=\"verdict\">verified</p>"
            : "<p class=\"fail\" id=\"verdict\">verification failed at step \(H.escape(outcome["failed_step"]?.stringValue ?? "input"))</p>"
        return H.render(
            title: "Verification result",
            body: verdict + H.table(["", "step", "detail"], rows) + "<p>\(H.link("/verify", "Verify another"))</p>")
    }

    /// `/subject`: the form where a data subject pastes the withdraw token of their receipt.
    public static func subjectForm(message: String? = nil) -> String {
        H.render(
            title: "Your data in this ledger",
            body: (message.map { "<p class=\"fail\" role=\"alert\">\(H.escape($0))</p>" } ?? "")
                + """
                <p>Paste the <code>withdraw_token</code> from your consent receipt. It is sent in the form's body, \
                never in the address, and nobody else needs to see it.</p>
                <form method="post" action="/subject">
                <label for="token">Withdraw token</label><input id="token" name="token" type="password" autocomplete="off" required>
                <p><button type="submit">Show my data</button></p></form>
                """)
    }

    /// The subject's samples in each current model, with the proofs, and the withdraw button.
    public static func subjectResult(_ proofs: JSONObject, token: String) -> String {
        let models = (proofs["models"]?.arrayValue ?? []).compactMap(\.objectValue)
        var rows: [[String]] = []
        for model in models {
            for sample in (model["samples"]?.arrayValue ?? []).compactMap(\.objectValue) {
                let proof = sample["proof"]?.objectValue ?? JSONObject()
                let member = proof["member"]?.boolValue == true
                rows.append([
                    "<code>\(H.escape(ModelRecord.shortCommitment(sample["commitment"]?.stringValue ?? "")))</code>",
                    H.link(
                        "/models/\(model["model"]?.stringValue ?? "")",
                        String((model["model"]?.stringValue ?? "").prefix(19))),
                    member ? "<strong>used</strong> (membership proof)" : "not used (non-membership proof)",
                    "<details><summary>proof</summary><pre>\(H.escape(String(decoding: CanonicalJSON.encode(.object(proof)), as: UTF8.self)))</pre></details>",
                ])
            }
        }
        let used = rows.contains { $0[2].hasPrefix("<strong>") }
        let body =
            H.facts([("Your pseudonym on the log", "<code>\(H.escape(proofs["pseudonym"]?.stringValue ?? ""))</code>")])
            + "<p>Check each proof against the model's snapshot root with the nonces of your receipt.</p>"
            + (rows.isEmpty
                ? "<p>No current model; nothing to show.</p>"
                : H.table(["your sample", "model", "in its training data", ""], rows))
                + """
                <h2>Withdraw your consent</h2><p>This withdraws every consent you gave. \(used ? "The models that use your data are marked stale at once and must be reproduced without it." : "No current model uses your data.")</p>
                <form method="post" action="/subject/withdraw"><input type="hidden" name="token" value="\(H.escape(token))">
                <p><input type="checkbox" id="confirm" name="confirm" value="yes" required> <label for="confirm" style="display:inline">I want to withdraw my consent; this cannot be undone.</label></p>
                <p><button type="submit" id="withdraw">Withdraw my consent</button></p></form>
                """
        return H.render(title: "Your data in this ledger", body: body)
    }

    /// After a withdrawal: the revocation and the models it made stale.
    public static func withdrawn(_ outcome: JSONObject) -> String {
        let stale = (outcome["stale_models"]?.arrayValue ?? []).compactMap {
            $0.stringValue ?? $0.objectValue?["model"]?.stringValue
        }
        let body =
            H.facts([
                ("Revocation", H.escape(outcome["revocation"]?.stringValue ?? "nothing left to withdraw")),
                (
                    "Samples affected",
                    String(
                        outcome["affected_samples"]?.integerValue ?? outcome["affected_samples"]?.arrayValue.map {
                            Int64($0.count)
                        } ?? 0)
                ),
                (
                    "Models now stale",
                    stale.isEmpty
                        ? "none"
                        : stale.map { H.link("/models/\($0)", $0) + " " + H.staleBadge }.joined(separator: "<br>")
                ),
            ])
        return H.render(title: "Your consent is withdrawn", body: body)
    }
}

extension ModelRecord {
    /// A sample commitment shortened for a table: `sha256:` and the first 16 hex digits.
    public static func shortCommitment(_ commitment: String) -> String { String(commitment.prefix(23)) + "…" }
}
