//go:build linux

package userns

// The ELF stage replaces the shell stage's /bin/sh and env -i on the
// newuidmap path when the child only has to wait: a static executable of
// a few hundred bytes, built here and kept in a sealed memfd, that speaks
// the same protocol with one execve fewer and no shell to start.
//
// The child starts it as /proc/self/fd/N, where N is the memfd's number
// in the parent (close-on-exec: an ELF, unlike a script, needs no path to
// itself once running), with
//
//	argv = [elfStageName, {ErrFD, GoFD} as two bytes, path, target argv...]
//	envp = the target's environment, exactly as os/exec would pass it
//
// It reads one byte from GoFD and exits stageExit unless it got exactly
// 'g'; closes GoFD; marks ErrFD close-on-exec; and calls
// execve(argv[2], &argv[3], envp). If that returns, it writes
// {"op":"exec","errno":N} to ErrFD, the report the other stages write for
// a failed execve, and exits stageExit.
//
// N must survive Go's descriptor shuffle in the child, which dup3s onto
// 0..len(Files)-1 and onto numbers above the highest of Files: N sits at
// elfStageFloor or above, Start refuses the ELF stage when Files reach
// it, and moves the go pipe's child end above N.

import (
	"encoding/binary"
	"errors"
	"os"
	"strconv"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// elfStageName is the stage's argv[0], what ps shows while it waits.
const elfStageName = "nonroot-userns-stage"

// forceShellStage makes the plan ignore the ELF stage, so that tests keep
// the shell stage covered.
var forceShellStage atomic.Bool

// elfImage returns the stage as an ELF64 executable for code, the
// machine instructions of one architecture (elf_linux_amd64.go), loaded
// with its headers by a single read-and-execute PT_LOAD.
func elfImage(machine uint16, code []byte) []byte {
	const (
		base   = 0x400000 // load address: above vm.mmap_min_addr
		ehsize = 64       // sizeof(Elf64_Ehdr)
		phsize = 56       // sizeof(Elf64_Phdr)
		phnum  = 2
		hdrs   = ehsize + phnum*phsize
	)
	le := binary.LittleEndian // both amd64 and arm64 run little-endian
	total := uint64(hdrs + len(code))
	b := make([]byte, 0, total)
	// e_ident: magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT, ELFOSABI_SYSV, padding.
	b = append(b, 0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	b = le.AppendUint16(b, 2)          // e_type: ET_EXEC, loaded at base, no relocations
	b = le.AppendUint16(b, machine)    // e_machine: EM_X86_64 or EM_AARCH64
	b = le.AppendUint32(b, 1)          // e_version: EV_CURRENT
	b = le.AppendUint64(b, base+hdrs)  // e_entry: the code right after the headers
	b = le.AppendUint64(b, ehsize)     // e_phoff: program headers follow this header
	b = le.AppendUint64(b, 0)          // e_shoff: no section headers; the kernel needs none
	b = le.AppendUint32(b, 0)          // e_flags
	b = le.AppendUint16(b, ehsize)     // e_ehsize
	b = le.AppendUint16(b, phsize)     // e_phentsize
	b = le.AppendUint16(b, phnum)      // e_phnum
	b = le.AppendUint16(b, 0)          // e_shentsize
	b = le.AppendUint16(b, 0)          // e_shnum
	b = le.AppendUint16(b, 0)          // e_shstrndx
	b = le.AppendUint32(b, 1)          // p_type: PT_LOAD, the whole file
	b = le.AppendUint32(b, 5)          // p_flags: PF_R|PF_X; the code writes only to the stack
	b = le.AppendUint64(b, 0)          // p_offset: from the first byte of the file
	b = le.AppendUint64(b, base)       // p_vaddr
	b = le.AppendUint64(b, base)       // p_paddr: ignored
	b = le.AppendUint64(b, total)      // p_filesz
	b = le.AppendUint64(b, total)      // p_memsz: no bss
	b = le.AppendUint64(b, 0x1000)     // p_align: the page size; base and offset agree modulo it
	b = le.AppendUint32(b, 0x6474e551) // p_type: PT_GNU_STACK, so that no kernel makes the stack executable
	b = le.AppendUint32(b, 6)          // p_flags: PF_R|PF_W
	for range 6 {                      // p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align: unused
		b = le.AppendUint64(b, 0)
	}
	return append(b, code...)
}

// elfStage returns the sealed memfd that holds the stage, made once per
// process, or why there is none (then the shell stage serves).
var elfStage = sync.OnceValues(func() (*os.File, error) {
	if elfStageCode == nil {
		return nil, errors.New("no ELF stage for this architecture")
	}
	img := elfImage(elfMachine, elfStageCode)
	const flags = unix.MFD_CLOEXEC | unix.MFD_ALLOW_SEALING
	// vm.memfd_noexec=1 makes a memfd without MFD_EXEC non-executable;
	// kernels before 6.3 refuse the flag with EINVAL.
	fd, err := unix.MemfdCreate(elfStageName, flags|unix.MFD_EXEC)
	if err == unix.EINVAL {
		fd, err = unix.MemfdCreate(elfStageName, flags)
	}
	if err != nil {
		return nil, os.NewSyscallError("memfd_create", err)
	}
	f := os.NewFile(uintptr(fd), "memfd:"+elfStageName)
	if _, err := f.Write(img); err != nil {
		f.Close()
		return nil, err
	}
	// Nobody, the stage included, can change the code once it is sealed.
	seals := unix.F_SEAL_WRITE | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_SEAL
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, seals); err != nil {
		f.Close()
		return nil, os.NewSyscallError("fcntl F_ADD_SEALS", err)
	}
	// execve refuses a file open for writing with ETXTBSY (seen here for
	// a regular file; a memfd got through on Linux 6.18, older kernels
	// are not known): keep only a read-only descriptor.
	ro, err := unix.Open("/proc/self/fd/"+strconv.Itoa(fd), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	f.Close()
	if err != nil {
		return nil, os.NewSyscallError("open", err)
	}
	// Away from the numbers the child's descriptors take.
	hi, err := unix.FcntlInt(uintptr(ro), unix.F_DUPFD_CLOEXEC, elfStageFloor)
	unix.Close(ro)
	if err != nil {
		return nil, os.NewSyscallError("fcntl F_DUPFD_CLOEXEC", err)
	}
	fd = hi
	f = os.NewFile(uintptr(fd), "memfd:"+elfStageName)
	// access(2) with X_OK checks the mode and a noexec mount, as execve does.
	if err := unix.Access("/proc/self/fd/"+strconv.Itoa(fd), unix.X_OK); err != nil {
		f.Close()
		return nil, os.NewSyscallError("access", err)
	}
	return f, nil
})

// elfStageFloor is the lowest number the memfd may take: the child's
// stdin, stdout, stderr, ExtraFiles, ErrFD and GoFD must stay below it.
const elfStageFloor = 100

// elfStageArgs returns the stage's argv for a target started as path
// with argv.
func elfStageArgs(errFD, goFD int, path string, argv []string) []string {
	return append([]string{elfStageName, string([]byte{byte(errFD), byte(goFD)}), path}, argv...)
}
