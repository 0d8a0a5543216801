//go:build linux

package idmap

import (
	"os"
	"strconv"
)

// ReadUIDMap reads /proc/PID/uid_map, the uid map of the user namespace
// of process pid; pid 0 means the calling process (/proc/self).
//
// The kernel shows the map relative to the READER's namespace, not the
// namespace's parent: read from the host, a nested namespace's map shows
// host IDs (see [Map.Compose]); read from inside the namespace itself, it
// shows the parent's IDs. The kernel translates only the first host ID
// of each extent into the reader's IDs, so the view is exact only when
// the reader maps each extent whole: read maps from the host, or from the
// namespace's parent. An extent whose first host ID the reader's
// namespace does not map shows as 4294967295 and is an error
// ([ErrRange]). A namespace whose map is not written yet reads as the zero
// Map.
//
// The map read can be longer as text than one write allows, where the
// reader's IDs have more digits than the writer's (a nested namespace
// read from the host); ReadUIDMap accepts it, unlike [ParseProc], and
// [Map.WriteTo] refuses to write it.
//
// It needs read access to /proc/PID (the same user, or CAP_SYS_PTRACE
// where /proc is mounted with hidepid); it needs no other privilege.
// Errors are *os.PathError, wrapping a *[ParseError] for bad content.
func ReadUIDMap(pid int) (Map, error) { return readMap(pid, "uid_map") }

// ReadGIDMap reads /proc/PID/gid_map as [ReadUIDMap] reads uid_map.
func ReadGIDMap(pid int) (Map, error) { return readMap(pid, "gid_map") }

// SelfUIDMap reads the calling process's uid map: [ReadUIDMap](0).
func SelfUIDMap() (Map, error) { return readMap(0, "uid_map") }

// SelfGIDMap reads the calling process's gid map: [ReadGIDMap](0).
func SelfGIDMap() (Map, error) { return readMap(0, "gid_map") }

func procPath(pid int, file string) string {
	if pid == 0 {
		return "/proc/self/" + file
	}
	return "/proc/" + strconv.Itoa(pid) + "/" + file
}

func readMap(pid int, file string) (Map, error) {
	path := procPath(pid, file)
	if pid < 0 {
		return Map{}, &os.PathError{Op: "read", Path: path, Err: os.ErrInvalid}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return Map{}, err
	}
	m, err := parseProc(string(b), false)
	if err != nil {
		return Map{}, &os.PathError{Op: "parse", Path: path, Err: err}
	}
	return m, nil
}
