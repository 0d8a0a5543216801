//go:build linux

package caps

import (
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"

	"kernel.org/pub/linux/libs/security/libcap/cap"

	"github.com/nonroot-go/nonroot/internal/testenv"
)

func TestNamesMatchLibcap(t *testing.T) {
	if NamedCount != cap.NamedCount {
		t.Errorf("NamedCount = %d, libcap's = %d", NamedCount, cap.NamedCount)
	}
	for v := range Value(NamedCount) {
		if got, want := Name(v, Libcap), v.String(); got != want {
			t.Errorf("Name(%d) = %q, libcap says %q", v, got, want)
		}
		back, err := cap.FromName(Name(v, Libcap))
		if err != nil || back != v {
			t.Errorf("libcap FromName(%q) = %d, %v", Name(v, Libcap), back, err)
		}
	}
}

func TestLastCapMatchesLibcap(t *testing.T) {
	last, err := LastCap()
	if err != nil {
		t.Fatal(err)
	}
	// libcap finds the kernel's count by probing the bounding set.
	if last+1 != cap.MaxBits() {
		t.Errorf("LastCap = %d, libcap MaxBits = %d", last, cap.MaxBits())
	}
}

func randomSets(r *rand.Rand) Sets {
	known := Supported()
	pick := func() Set {
		switch r.IntN(4) {
		case 0:
			return 0
		case 1:
			return known
		case 2:
			return Set(r.Uint64()) & known
		}
		return known &^ Set(r.Uint64()&r.Uint64())
	}
	return Sets{Effective: pick(), Permitted: pick(), Inheritable: pick(), Bounding: pick(), Ambient: pick()}
}

// libcap's (*cap.Set).String is documented to match cap_to_text.
func TestTextMatchesLibcap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		s := randomSets(r)
		c, err := s.Cap()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := s.Text(), c.String(); got != want {
			t.Fatalf("Text(%+v) = %q, libcap = %q", s, got, want)
		}
		// libcap's FromText reads our text back to the same state.
		c2, err := cap.FromText(s.Text())
		if err != nil {
			t.Fatalf("libcap FromText(%q): %v", s.Text(), err)
		}
		back, err := FromCap(c2)
		if err != nil {
			t.Fatal(err)
		}
		if back.Effective != s.Effective || back.Permitted != s.Permitted || back.Inheritable != s.Inheritable {
			t.Fatalf("libcap read %q as %+v, want %+v", s.Text(), back, s)
		}
	}
}

func TestSetCapRoundTrip(t *testing.T) {
	s := SetOf(0, 5, 21, 40, 45, 63)
	c, err := s.Cap(cap.Permitted, cap.Inheritable)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []cap.Flag{cap.Permitted, cap.Inheritable, cap.Effective} {
		got, err := SetFromCap(c, f)
		want := s
		if f == cap.Effective {
			want = 0
		}
		if err != nil || got != want {
			t.Errorf("SetFromCap(%v) = %v, %v; want %v", f, got, err, want)
		}
	}
}

func TestIABRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	known := Supported()
	for range 500 {
		s := randomSets(r)
		s.Ambient &= s.Inheritable // libcap's IAB keeps ambient within inheritable
		s.Effective, s.Permitted = 0, 0
		iab, err := s.IAB()
		if err != nil {
			t.Fatal(err)
		}
		back, err := FromIAB(iab)
		if err != nil || back != s {
			t.Fatalf("FromIAB(IAB(%+v)) = %+v, %v", s, back, err)
		}
		// libcap's text for the IAB reads back to the same IAB.
		iab2, err := cap.IABFromText(iab.String())
		if err != nil {
			t.Fatalf("IABFromText(%q): %v", iab.String(), err)
		}
		if back2, _ := FromIAB(iab2); back2 != s {
			t.Fatalf("libcap IAB text %q read back as %+v, want %+v", iab.String(), back2, s)
		}
	}
	if _, err := (Sets{Inheritable: known | SetOf(63)}).IAB(); err == nil && !known.Has(63) {
		t.Errorf("IAB accepted a capability the kernel lacks")
	}
}

// The C library is the reference for the text form. python3's ctypes
// reaches it without cgo.
func TestTextMatchesCLibcap(t *testing.T) {
	py := testenv.RequireTool(t, "python3", "python3")
	if _, err := exec.Command(py, "-c", "import ctypes; ctypes.CDLL('libcap.so.2')").CombinedOutput(); err != nil {
		testenv.Require(t, "libcap.so.2", err)
	}
	inputs := []string{
		"cap_chown=p cap_kill=e", "cap_setuid=p cap_chown=i", "=ep cap_chown-e", "CAP_CHOWN=ep", "all=ep",
		"cap_chown=ep-e+i", "cap_chown+ep-e", "40=ep", "41=ep", "63=p", "cap_chown=pe cap_chown=", "=", "all-p", "=ep all-p",
		"cap_chown,cap_kill+p", "cap_chown=+p", "cap_chown=-p", "= cap_chown=p", "cap_chown=i 40+p 39=e", "=eip cap_sys_admin-ip 45+e",
		// Numbers as strtoul reads them: octal, hex.
		"010=ep", "011=ep", "0x1=ep", "0X1f=p", "077=ep", "0x28=ep", "08=ep", "0=p",
		// "all" anywhere in a list.
		"cap_chown,all=ep", "all,cap_chown=p", "=ep all,cap_chown-p",
	}
	script := `import ctypes, sys
l = ctypes.CDLL('libcap.so.2')
l.cap_from_text.restype = ctypes.c_void_p
l.cap_from_text.argtypes = [ctypes.c_char_p]
l.cap_to_text.restype = ctypes.c_char_p
l.cap_to_text.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
for line in sys.stdin.read().split('\n')[:-1]:
    c = l.cap_from_text(line.encode())
    print(l.cap_to_text(c, None).decode() if c else '<error>')
`
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = strings.NewReader(strings.Join(inputs, "\n") + "\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(inputs) {
		t.Fatalf("python answered %d lines for %d inputs: %q", len(lines), len(inputs), out)
	}
	for i, in := range inputs {
		s, err := ParseText(in)
		if lines[i] == "<error>" {
			if err == nil {
				t.Errorf("ParseText(%q) = %q; C cap_from_text refuses it", in, s.Text())
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseText(%q): %v (C: %q)", in, err, lines[i])
			continue
		}
		if got := s.Text(); got != lines[i] {
			t.Errorf("ParseText(%q).Text() = %q, C cap_to_text(cap_from_text) = %q", in, got, lines[i])
		}
	}
}
