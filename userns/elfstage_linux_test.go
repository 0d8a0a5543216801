//go:build linux

package userns

import (
	"bytes"
	"debug/elf"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/nonroot-go/nonroot/internal/testenv"
	"golang.org/x/sys/unix"
)

// The image is an executable debug/elf reads as the kernel will: one
// read-and-execute PT_LOAD covering the file, the entry at the code.
func TestELFStageImage(t *testing.T) {
	if elfStageCode == nil {
		t.Skip("no ELF stage for this architecture; the shell stage serves")
	}
	img := elfImage(elfMachine, elfStageCode)
	f, err := elf.NewFile(bytes.NewReader(img))
	if err != nil {
		t.Fatal(err)
	}
	if f.Class != elf.ELFCLASS64 || f.Type != elf.ET_EXEC || f.Machine != elf.Machine(elfMachine) {
		t.Errorf("class %v type %v machine %v", f.Class, f.Type, f.Machine)
	}
	var loads []*elf.Prog
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD {
			loads = append(loads, p)
		}
	}
	if len(loads) != 1 {
		t.Fatalf("%d PT_LOAD headers, want 1", len(loads))
	}
	l := loads[0]
	if l.Off != 0 || l.Filesz != uint64(len(img)) || l.Flags != elf.PF_R|elf.PF_X {
		t.Errorf("PT_LOAD off %d filesz %d flags %v", l.Off, l.Filesz, l.Flags)
	}
	if code := f.Entry - l.Vaddr; code != uint64(len(img)-len(elfStageCode)) {
		t.Errorf("entry at file offset %d, code at %d", code, len(img)-len(elfStageCode))
	}
}

// runELFStage starts the stage without a namespace, the go pipe fed by
// feed, and returns the target's output, the stage's report on ErrFD and
// Wait's error.
func runELFStage(t *testing.T, feed []byte, path string, argv ...string) (out, report string, err error) {
	t.Helper()
	f, err := elfStage()
	testenv.Require(t, featureELFStage, err)
	errR, errW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer errR.Close()
	goR, goW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := &exec.Cmd{
		Path:       "/proc/self/fd/" + strconv.Itoa(int(f.Fd())),
		Args:       elfStageArgs(3, 4, path, argv),
		Env:        []string{"B=1", "A=2"},
		ExtraFiles: []*os.File{errW, goR},
	}
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	errW.Close()
	goR.Close()
	_, _ = goW.Write(feed)
	goW.Close()
	b := new(bytes.Buffer)
	_, _ = b.ReadFrom(errR)
	err = cmd.Wait()
	return stdout.String(), b.String(), err
}

func TestELFStageProtocol(t *testing.T) {
	if f, err := elfStage(); err == nil {
		// Sealed, and held read-only: nothing can change the code.
		fl, err := unix.FcntlInt(f.Fd(), unix.F_GETFL, 0)
		seals, err2 := unix.FcntlInt(f.Fd(), unix.F_GET_SEALS, 0)
		want := unix.F_SEAL_WRITE | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_SEAL
		if err != nil || err2 != nil || fl&unix.O_ACCMODE != unix.O_RDONLY || seals != want || int(f.Fd()) < elfStageFloor {
			t.Errorf("memfd %d: flags %#x (%v), seals %#x (%v)", f.Fd(), fl, err, seals, err2)
		}
	}
	// 'g' and a target: the target runs with the stage's environment and
	// neither pipe; ErrFD closes at its execve with nothing written.
	const script = `printf '%s|' "$0" "$B" "$A"; for fd in 3 4; do [ -e /proc/$$/fd/$fd ] && printf 'open %s|' $fd; done; echo`
	out, report, err := runELFStage(t, []byte("g"), "/bin/sh", "sh", "-c", script)
	if err != nil || report != "" || out != "sh|1|2|\n" {
		t.Errorf("target: out %q, report %q, %v", out, report, err)
	}
	// The parent gave up (EOF) or sent something else: exit status 125,
	// no report, no target.
	for _, feed := range []string{"", "x", "gg"} {
		out, report, err := runELFStage(t, []byte(feed), "/bin/echo", "echo", "ran")
		if feed == "gg" {
			// Only the first byte counts: it read exactly one 'g'.
			if err != nil || out != "ran\n" {
				t.Errorf("feed %q: out %q, %v", feed, out, err)
			}
			continue
		}
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != stageExit || report != "" || out != "" {
			t.Errorf("feed %q: out %q, report %q, %v; want exit status %d and nothing else", feed, out, report, err, stageExit)
		}
	}
	// A failed execve: its errno reported as the other stages do, exit 125.
	_, report, err = runELFStage(t, []byte("g"), "/nonexistent", "x")
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != stageExit || report != `{"op":"exec","errno":2}` {
		t.Errorf("missing target: report %q, %v", report, err)
	}
}

// Starts at the same time share the one memfd; each moves its own go pipe
// above it.
func TestELFStageConcurrent(t *testing.T) {
	if p := requireNewuidmapPath(t, Command("/bin/echo")); !p.elf {
		_, err := elfStage()
		testenv.Require(t, featureELFStage, err)
		t.Fatal("not the ELF stage")
	}
	errs := make(chan error, 8)
	for i := range cap(errs) {
		go func() {
			c := Command("/bin/echo", strconv.Itoa(i))
			c.SubIDs = true
			out, err := c.Output()
			if err == nil && string(out) != strconv.Itoa(i)+"\n" {
				err = errors.New("output " + strconv.Quote(string(out)))
			}
			errs <- err
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
