package sync_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// readVectors decodes one of the shared vector files in testdata/, which
// pwa/js tests read too.
func readVectors(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}
