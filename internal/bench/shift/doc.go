// Package shift compares userns.ShiftOwnership with containers/storage's
// ChownPathByMaps, the chown walk podman and buildah run when a layer
// needs other owners, on a tree of about 100,000 entries in one run: one
// tree on the default temporary directory's file system ("disk"; ext4 on
// the machines of BENCHMARKS.md) and one on /dev/shm ("tmpfs", where a
// chown writes no journal).
//
// A third side, "floor", is not a contender: one statx and one fchownat
// per entry from all CPUs, over directories listed and opened beforehand,
// with no look for file capabilities or ACLs. Any shift must pay at least
// that, so floor's speed-up over ChownPathByMaps bounds the speed-up any
// shift can have on that file system and machine.
//
// It is a module of its own so that containers/storage and its many
// dependencies never enter the library's go.mod. Run, as root (both sides
// give files to host uids 100000 and up):
//
//	cd internal/bench/shift && go test -run XXX -bench . -benchtime 3x -count 5
//
// -count repeats each side five times in a row; on a shared machine
// whose load moves, interleave the sides by running the binary five
// times instead:
//
//	go test -c -o /tmp/shiftbench.test . &&
//	for i in 1 2 3 4 5; do /tmp/shiftbench.test -test.run XXX -test.bench . -test.benchtime 3x; done
//
// Besides wall time per op and per entry, each side reports cpu-ns/entry:
// the CPU time of the process and of the children it waited for
// (ChownPathByMaps does its walk in a re-executed child), which stays
// comparable when other work shares the CPUs.
//
// Each iteration moves the whole tree between the maps "0 0 65536" and
// "0 100000 65536" (uids and gids), alternating direction, so every
// iteration of either side changes every entry.
//
// BenchmarkSyscall prices, one call at a time from one goroutine, each
// system call a shift makes per entry, on 20,000 files of each file
// system. See BENCHMARKS.md for the figures.
package shift
