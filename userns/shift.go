package userns

import (
	"errors"

	"github.com/nonroot-go/nonroot/idmap"
)

// ErrShiftUnmapped: [ShiftOwnership] met an owner (or a file capability's
// root uid, or an ID a POSIX ACL names) outside the From map, or one whose
// container ID the To map does not cover. The walk stops there; files
// already visited keep their new owners, and running the shift again with
// the same maps does not shift them twice only when From and To do not
// overlap, so fix the maps and shift back from To to From, or restore the
// tree.
var ErrShiftUnmapped = errors.New("ID outside the shift's maps")

// ShiftOptions says how [ShiftOwnership] moves owners: a file owned by
// UIDFrom.ToHost(k) becomes owned by UIDTo.ToHost(k), and the same for
// gids. This is the pair of maps containers/storage calls toContainer and
// toHost: the maps of the namespace the tree was laid out for and of the
// one it is for now. A zero pair (both Maps zero) leaves that side alone.
type ShiftOptions struct {
	UIDFrom, UIDTo idmap.Map
	GIDFrom, GIDTo idmap.Map
	// Workers bounds the goroutines that walk the tree at once; zero
	// means four per CPU (GOMAXPROCS), which keeps the CPUs busy while
	// some walkers wait on the disk.
	Workers int
}

func (o *ShiftOptions) check() error {
	if o.UIDFrom.IsZero() != o.UIDTo.IsZero() || o.GIDFrom.IsZero() != o.GIDTo.IsZero() {
		return errors.New("a From map without its To map, or the reverse")
	}
	return nil
}
