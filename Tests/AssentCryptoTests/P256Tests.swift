import AssentCrypto
import Testing

// NIST CSRC "ECDSA examples" P256_SHA256.pdf: message "Example of ECDSA with P-256", public key Q and
// signature (R, S), here DER-encoded; cross-checked with pyca/cryptography. The SEC1 key is the
// test-only key of shared/reference/model-signing-sample.
@Suite struct P256Tests {
    static let nistPublicKey = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEt+CK/f6UutPx3IxzR5i6HGKzoK0e
        nqKjggHNCIm8ehk2A/dHlZ2/ekuyJuQZKHKQY63HrkNSnmG1Y7vGBsxeCQ==
        -----END PUBLIC KEY-----

        """
    static let nistMessage = Array("Example of ECDSA with P-256".utf8)
    static let nistSignature = unhex(
        "304502202b42f576d07f4165ff65d1f3b1500f81e44c316f1f0b3ef57325b69aca46104f022100dc42c2122d6392cd3e3a993a89502a8198c1886fe69d262c4b329bdb6b63faf1"
    )
    static let sec1PrivateKey = """
        -----BEGIN EC PRIVATE KEY-----
        MHcCAQEEIGbgzLSt5U0DveK2PSshrp/gcTlQ91yqgvSHCTtAD5kioAoGCCqGSM49
        AwEHoUQDQgAEYwP0dxjTBWuep5x3X07XhACQDkajqun/VSOTQkMHM3rmz38ST44S
        XiAeJwPwVsGtCHWGVSTqdx0oOWr9cH8TMA==
        -----END EC PRIVATE KEY-----

        """

    @Test func verifiesTheNISTExample() throws {
        let key = try P256PublicKey(pemRepresentation: Self.nistPublicKey)
        #expect(key.isValidSignature(Self.nistSignature, for: Self.nistMessage))
    }

    @Test func rejectsInvalidSignatures() throws {
        let key = try P256PublicKey(pemRepresentation: Self.nistPublicKey)
        var flippedS = Self.nistSignature
        flippedS[flippedS.count - 1] ^= 1
        #expect(!key.isValidSignature(flippedS, for: Self.nistMessage), "S changed")
        var flippedR = Self.nistSignature
        flippedR[10] ^= 0x80
        #expect(!key.isValidSignature(flippedR, for: Self.nistMessage), "R changed")
        #expect(!key.isValidSignature(Self.nistSignature, for: Self.nistMessage + [0x2e]), "message changed")
        let rawRS = Array(Self.nistSignature[4..<36] + Self.nistSignature[39...])
        #expect(rawRS.count == 64)
        #expect(!key.isValidSignature(rawRS, for: Self.nistMessage), "IEEE P1363 r||s is not DER")
        #expect(!key.isValidSignature([UInt8](), for: Self.nistMessage), "empty signature")
        #expect(!key.isValidSignature(Self.nistSignature + [0], for: Self.nistMessage), "trailing byte after DER")
    }

    @Test func signsWithSEC1AndPKCS8Keys() throws {
        let sec1 = try P256PrivateKey(pemRepresentation: Self.sec1PrivateKey)
        let pkcs8Text = try sec1.pemRepresentation
        #expect(pkcs8Text.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        let pkcs8 = try P256PrivateKey(pemRepresentation: pkcs8Text)
        let message = Array("model".utf8)
        let signature = try pkcs8.signature(for: message)
        let publicPEM = try sec1.publicKey.pemRepresentation
        #expect(
            publicPEM.hasPrefix("-----BEGIN PUBLIC KEY-----\n") && publicPEM.hasSuffix("-----END PUBLIC KEY-----\n"))
        let publicKey = try P256PublicKey(pemRepresentation: publicPEM)
        #expect(publicKey.isValidSignature(signature, for: message))
        #expect(try publicKey.derRepresentation.count == 91)
    }

    @Test func generatedKeysRoundTrip() throws {
        let key = try P256PrivateKey.generate()
        let reread = try P256PrivateKey(pemRepresentation: try key.pemRepresentation)
        let signature = try reread.signature(for: [1, 2, 3])
        #expect(key.publicKey.isValidSignature(signature, for: [1, 2, 3]))
    }

    @Test func rejectsOtherKeys() {
        let ed25519 = """
            -----BEGIN PUBLIC KEY-----
            MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=
            -----END PUBLIC KEY-----

            """
        #expect(throws: CryptoError.self) { try P256PublicKey(pemRepresentation: ed25519) }
        #expect(throws: CryptoError.self) {
            try P256PublicKey(pemRepresentation: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
        }
        #expect(throws: CryptoError.self) { try P256PrivateKey(pemRepresentation: "not a key") }
    }
}
