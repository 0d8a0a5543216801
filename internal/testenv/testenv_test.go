package testenv

import (
	"os"
	"testing"
)

func TestRequired(t *testing.T) {
	t.Setenv(RequireEnv, "userns,pscap")
	if !Required("userns") || !Required("pscap") {
		t.Fatal("listed features not required")
	}
	if Required("newuidmap") {
		t.Fatal("unlisted feature required")
	}
	t.Setenv(RequireEnv, "all")
	if !Required("anything") {
		t.Fatal("all does not require everything")
	}
	t.Setenv(RequireEnv, "")
	if Required("userns") {
		t.Fatal("empty list requires userns")
	}
}

func TestMain(m *testing.M) {
	Helper("echo-uid", func([]string) int {
		if os.Getenv(HelperEnv) != "echo-uid" {
			return 3
		}
		return 0
	})
	Main(m)
}

func TestCommand(t *testing.T) {
	if err := Command("echo-uid").Run(); err != nil {
		t.Fatalf("helper run failed: %v", err)
	}
	if err := Command("no-such-helper").Run(); err == nil {
		t.Fatal("unknown helper succeeded")
	}
}
