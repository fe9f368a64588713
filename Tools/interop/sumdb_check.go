// Command sumdb_check verifies Assent's checkpoints, tlog-proofs and consistency proofs with Go's
// golang.org/x/mod/sumdb/note and sumdb/tlog packages, as an independent implementation would.
//
// Build in GOPATH mode with Debian's golang-golang-x-mod-dev:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go run sumdb_check.go checkpoint VKEY CHECKPOINT
//	... inclusion VKEY ENTRY TLOGPROOF
//	... consistency VKEY OLDCHECKPOINT NEWCHECKPOINT PROOF
//
// tlog.ParseTree accepts only the Go checksum database's origin, so the checkpoint body is parsed
// here after note.Open has checked the signature.
package main

import (
	"encoding/base64"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "sumdb_check: "+format+"\n", args...)
	os.Exit(2)
}

func read(path string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		fail("%v", err)
	}
	return data
}

type tree struct {
	origin string
	size   int64
	root   tlog.Hash
}

func openCheckpoint(vkeyPath string, noteBytes []byte) tree {
	verifier, err := note.NewVerifier(strings.TrimSpace(string(read(vkeyPath))))
	if err != nil {
		fail("verifier key: %v", err)
	}
	n, err := note.Open(noteBytes, note.VerifierList(verifier))
	if err != nil {
		fail("note.Open: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 {
		fail("checkpoint body too short")
	}
	if lines[0] != verifier.Name() {
		fail("origin %q does not match key name %q", lines[0], verifier.Name())
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || strconv.FormatInt(size, 10) != lines[1] {
		fail("bad size line %q", lines[1])
	}
	root, err := tlog.ParseHash(lines[2])
	if err != nil {
		fail("bad root line: %v", err)
	}
	return tree{lines[0], size, root}
}

func parseHashes(lines []string) []tlog.Hash {
	var hashes []tlog.Hash
	for _, line := range lines {
		if line == "" {
			continue
		}
		h, err := tlog.ParseHash(line)
		if err != nil {
			fail("bad proof hash %q: %v", line, err)
		}
		hashes = append(hashes, h)
	}
	return hashes
}

func main() {
	if len(os.Args) < 4 {
		fail("usage: checkpoint VKEY CP | inclusion VKEY ENTRY PROOF | consistency VKEY OLD NEW PROOF")
	}
	switch os.Args[1] {
	case "checkpoint":
		t := openCheckpoint(os.Args[2], read(os.Args[3]))
		fmt.Printf("ok: checkpoint %s size %d root %s\n", t.origin, t.size, base64.StdEncoding.EncodeToString(t.root[:]))
	case "inclusion":
		entry := read(os.Args[3])
		text := string(read(os.Args[4]))
		parts := strings.SplitN(text, "\n\n", 2)
		if len(parts) != 2 {
			fail("tlog-proof has no blank line")
		}
		head := strings.Split(parts[0], "\n")
		if head[0] != "c2sp.org/tlog-proof@v1" {
			fail("not a tlog-proof")
		}
		i := 1
		if i < len(head) && strings.HasPrefix(head[i], "extra ") {
			i++
		}
		if i >= len(head) || !strings.HasPrefix(head[i], "index ") {
			fail("no index line")
		}
		index, err := strconv.ParseInt(strings.TrimPrefix(head[i], "index "), 10, 64)
		if err != nil {
			fail("bad index: %v", err)
		}
		t := openCheckpoint(os.Args[2], []byte(parts[1]))
		proof := tlog.RecordProof(parseHashes(head[i+1:]))
		if err := tlog.CheckRecord(proof, t.size, t.root, index, tlog.RecordHash(entry)); err != nil {
			fail("tlog.CheckRecord: %v", err)
		}
		fmt.Printf("ok: entry %d is in %s at size %d\n", index, t.origin, t.size)
	case "consistency":
		if len(os.Args) < 6 {
			fail("usage: consistency VKEY OLD NEW PROOF")
		}
		old := openCheckpoint(os.Args[2], read(os.Args[3]))
		new := openCheckpoint(os.Args[2], read(os.Args[4]))
		proof := tlog.TreeProof(parseHashes(strings.Split(string(read(os.Args[5])), "\n")))
		if err := tlog.CheckTree(proof, new.size, new.root, old.size, old.root); err != nil {
			fail("tlog.CheckTree: %v", err)
		}
		fmt.Printf("ok: size %d extends size %d\n", new.size, old.size)
	default:
		fail("unknown mode %q", os.Args[1])
	}
}
