package userns_test

import (
	"errors"
	"log"

	"github.com/nonroot-go/nonroot/idmap"
	"github.com/nonroot-go/nonroot/userns"
)

// A node agent hands a host directory to a container that got host IDs
// 165536-231071 from the allocator. Files the host's root owns appear as
// the container's root; what the container writes lands on disk owned by
// the host's root. Where the kernel or the file system cannot map IDs on
// the fly, the owners are shifted on disk instead.
func ExampleMountIDMapped() {
	a := &idmap.Allocator{Path: "/var/lib/example/ids.json", Pool: []idmap.Block{{Start: 100000, Size: 65536 * 100}}}
	alloc, err := a.Allocate("web-1", 0)
	if err != nil {
		log.Fatal(err)
	}
	m, err := alloc.Map() // 0 165536 65536: the container's uid_map and gid_map
	if err != nil {
		log.Fatal(err)
	}
	err = userns.MountIDMapped("/srv/volumes/web", "/run/containers/web-1/rootfs/data", m, m, nil)
	if errors.Is(err, userns.ErrIDMapUnsupported) {
		// The volume was laid out for the host (identity); shift it to
		// the container's range.
		host := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: 0, Size: 65536})
		err = userns.ShiftOwnership("/srv/volumes/web", userns.ShiftOptions{UIDFrom: host, UIDTo: m, GIDFrom: host, GIDTo: m})
	}
	if err != nil {
		log.Fatal(err)
	}
}

// Moving a volume written by a container that had host IDs 100000 and up
// to one that now has 300000 and up: files owned by 100000 on disk are
// seen as owned by 300000, the new container's root.
func ExampleOpenIDMapped() {
	m := idmap.MustNew(idmap.Range{ContainerID: 100000, HostID: 300000, Size: 65536})
	f, err := userns.OpenIDMapped("/srv/volumes/db", m, m, &userns.MountOptions{Recursive: true})
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	// Pass f to the container's runtime, which attaches it with
	// move_mount(2) inside the container's mount namespace.
}
