// Package shift compares userns.ShiftOwnership with containers/storage's
// ChownPathByMaps, the chown walk podman and buildah run when a layer
// needs other owners, on one tree of about 100,000 entries in one run.
//
// It is a module of its own so that containers/storage and its many
// dependencies never enter the library's go.mod. Run, as root (both sides
// give files to host uids 100000 and up):
//
//	cd internal/bench/shift && go test -run XXX -bench . -benchtime 3x -count 5
//
// Each iteration moves the whole tree between the maps "0 0 65536" and
// "0 100000 65536" (uids and gids), alternating direction, so every
// iteration of either side changes every entry.
package shift
