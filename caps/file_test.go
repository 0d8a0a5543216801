package caps

import (
	"bytes"
	"errors"
	"os"
	"testing"
)

func TestParseFileCapsSamples(t *testing.T) {
	// Written by setcap (libcap 2.66) and read back raw.
	for _, tc := range []struct {
		file string
		want FileCaps
		text string // what getcap -n printed
	}{
		{"filecap-v2-net_bind_service-ep", FileCaps{Permitted: SetOf(10), Effective: true, Version: 2}, "cap_net_bind_service=ep"},
		{"filecap-v2-chown-kill-pi", FileCaps{Permitted: SetOf(0, 5), Inheritable: SetOf(0, 5), Version: 2}, "cap_chown,cap_kill=ip"},
		{"filecap-v3-rootid-100000-ei", FileCaps{Inheritable: SetOf(0, 10), Effective: true, Version: 3, RootUID: 100000}, "cap_chown,cap_net_bind_service=ei [rootid=100000]"},
		{"filecap-v2-all-p", FileCaps{Permitted: Supported(), Version: 2}, "=p"},
	} {
		b, err := os.ReadFile("testdata/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		fc, err := ParseFileCaps(b)
		if err != nil || fc != tc.want {
			t.Errorf("%s: %+v, %v; want %+v", tc.file, fc, err, tc.want)
			continue
		}
		if fc.String() != tc.text {
			t.Errorf("%s: String = %q, getcap printed %q", tc.file, fc.String(), tc.text)
		}
		again, err := fc.Marshal()
		if err != nil || !bytes.Equal(again, b) {
			t.Errorf("%s: Marshal = %x, %v; want %x", tc.file, again, err, b)
		}
	}
}

func TestParseFileCapsErrors(t *testing.T) {
	for _, b := range [][]byte{
		nil,
		{0, 0, 0},
		{0, 0, 0, 2},             // v2 too short
		{0, 0, 0, 2, 1, 2, 3, 4}, // v2 too short
		make([]byte, 20),         // revision 0
		append([]byte{2, 0, 0, 2}, make([]byte, 16)...), // unknown flag 0x2
		append([]byte{0, 0, 0, 3}, make([]byte, 16)...), // v3 with v2's size
		append([]byte{0, 0, 0, 4}, make([]byte, 20)...), // revision 4
	} {
		_, err := ParseFileCaps(b)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("ParseFileCaps(%x) = %v, want a *ParseError", b, err)
		}
	}
	if _, err := (FileCaps{Version: 2, RootUID: 5}).Marshal(); err == nil {
		t.Errorf("v2 with a root uid marshalled")
	}
	if _, err := (FileCaps{Version: 1, Permitted: SetOf(40)}).Marshal(); err == nil {
		t.Errorf("v1 with capability 40 marshalled")
	}
	if b, err := (FileCaps{RootUID: 7}).Marshal(); err != nil || len(b) != 24 || b[3] != 3 {
		t.Errorf("version 0 with a root uid: %x, %v; want v3", b, err)
	}
}

func FuzzParseFileCaps(f *testing.F) {
	for _, name := range []string{"filecap-v2-net_bind_service-ep", "filecap-v3-rootid-100000-ei", "filecap-v2-all-p"} {
		b, _ := os.ReadFile("testdata/" + name)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fc, err := ParseFileCaps(b)
		if err != nil {
			return
		}
		again, err := fc.Marshal()
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("round trip %x -> %+v -> %x, %v", b, fc, again, err)
		}
	})
}

func BenchmarkParseFileCaps(b *testing.B) {
	data, err := os.ReadFile("testdata/filecap-v3-rootid-100000-ei")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseFileCaps(data); err != nil {
			b.Fatal(err)
		}
	}
}
