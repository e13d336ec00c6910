package ferrettest_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestOnlyTestsLinkFerretDB checks, with go list, that no package of the
// module links FerretDB outside its tests (Deps lists what a non-test build
// of a package links), so binaries such as the server never carry it. This
// package is the one exception.
func TestOnlyTestsLinkFerretDB(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not found")
	}
	const self = "github.com/hit4x4/dagbok/store/mongostore/ferrettest"
	out, err := exec.Command(goTool, "list", "-e", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, "github.com/hit4x4/dagbok/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, deps, _ := strings.Cut(line, " ")
		if pkg == self {
			continue
		}
		checked++
		for _, dep := range strings.Fields(deps) {
			if dep == self || strings.HasPrefix(dep, "github.com/FerretDB/") {
				t.Errorf("%s links %s outside its tests", pkg, dep)
				break
			}
		}
	}
	if checked == 0 {
		t.Fatal("go list listed no packages")
	}
	t.Logf("%d packages checked", checked)
}
