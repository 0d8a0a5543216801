package idmap_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nonroot-go/nonroot/idmap"
)

func ExampleNew() {
	// Kubernetes #139916: the last host ID would be 4294967295.
	_, err := idmap.New(idmap.Range{ContainerID: 0, HostID: 4294901760, Size: 65536})
	fmt.Println(err)
	fmt.Println(errors.Is(err, idmap.ErrRange))

	m, err := idmap.New(
		idmap.Range{ContainerID: 0, HostID: 1000, Size: 1},
		idmap.Range{ContainerID: 1, HostID: 100000, Size: 65536},
	)
	fmt.Print(m)
	fmt.Println(err)
	// Output:
	// idmap: extent 0 (0 4294901760 65536): out of range: IDs run from 0 to 4294967294; its last ID would be 4294967295
	// true
	// 0 1000 1
	// 1 100000 65536
	// <nil>
}

func ExampleMap_ToHost() {
	// Rootless podman's map for uid 1000 with 100000:65536 in /etc/subuid.
	m, err := idmap.New(
		idmap.Range{ContainerID: 0, HostID: 1000, Size: 1},
		idmap.Range{ContainerID: 1, HostID: 100000, Size: 65536},
	)
	if err != nil {
		panic(err)
	}
	for _, id := range []uint32{0, 1, 65536, 65537} {
		host, ok := m.ToHost(id)
		fmt.Println(id, "->", host, ok)
	}
	inside, ok := m.ToContainer(100000)
	fmt.Println(inside, ok)
	// Output:
	// 0 -> 1000 true
	// 1 -> 100000 true
	// 65536 -> 165535 true
	// 65537 -> 0 false
	// 1 true
}

func ExampleRangeError() {
	_, err := idmap.New(
		idmap.Range{ContainerID: 0, HostID: 100000, Size: 65536},
		idmap.Range{ContainerID: 0, HostID: 1000, Size: 1}, // 0 is mapped already
	)
	var re *idmap.RangeError
	if errors.As(err, &re) {
		fmt.Println(re.Index, re.Range, errors.Is(err, idmap.ErrOverlap))
	}
	// Output:
	// 1 0 1000 1 true
}

func ExampleParsePodman() {
	// podman run --uidmap 0:100000:1000 --uidmap 1000:1000:1: join the
	// values with commas. The amount defaults to 1.
	m, err := idmap.ParsePodman("0:100000:1000,1000:1000")
	fmt.Print(m)
	fmt.Println(err)
	// The @ form names a host ID through the caller's own map.
	_, err = idmap.ParsePodman("0:@1000:1")
	fmt.Println(errors.Is(err, idmap.ErrSyntax))
	// Output:
	// 0 100000 1000
	// 1000 1000 1
	// <nil>
	// true
}

func ExampleMap_Inverse() {
	m := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: 100000, Size: 65536})
	fmt.Print(m.Inverse())
	// Output:
	// 100000 0 65536
}

func ExampleParseProc() {
	// As /proc/PID/uid_map shows it: right-aligned columns.
	m, err := idmap.ParseProc("         0       1000          1\n         1     100000      65536\n")
	if err != nil {
		panic(err)
	}
	host, ok := m.ToHost(5)
	fmt.Println(host, ok)
	inside, ok := m.ToContainer(1000)
	fmt.Println(inside, ok)
	_, ok = m.ToHost(65537)
	fmt.Println(ok, m.Size())
	// Output:
	// 100004 true
	// 0 true
	// false 65537
}

func ExampleParseProc_error() {
	_, err := idmap.ParseProc("0 100000 65536\n10 200000 x\n")
	var pe *idmap.ParseError
	if errors.As(err, &pe) {
		fmt.Println(pe.Line, pe.Field, pe.Text, errors.Is(err, idmap.ErrSyntax))
	}
	fmt.Println(err)
	// Output:
	// 2 3 x true
	// idmap.ParseProc: line 2: field 3: parsing "x": invalid syntax
}

func ExampleMap_Compose() {
	// A container whose namespace maps 0:100000:65536 runs a nested
	// namespace that maps 0:1000:1000 of the container's IDs.
	outer := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: 100000, Size: 65536})
	inner := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: 1000, Size: 1000})
	host, err := inner.Compose(outer)
	fmt.Print(host)
	fmt.Println(err)
	// Output:
	// 0 101000 1000
	// <nil>
}

func ExampleMap_SplitParent() {
	// The writer's own map has two adjacent extents; the kernel wants
	// every extent inside one of them.
	parent := idmap.MustNew(
		idmap.Range{ContainerID: 0, HostID: 1000, Size: 1},
		idmap.Range{ContainerID: 1, HostID: 100000, Size: 65536},
	)
	m := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: 0, Size: 1000})
	fmt.Println(m.CheckParent(parent))
	split, err := m.SplitParent(parent)
	fmt.Print(split)
	fmt.Println(err)
	// Output:
	// idmap: extent 0 (0 0 1000): extent not inside one extent of the parent map (map only IDs the parent maps, and split extents at the parent's with SplitParent)
	// 0 0 1
	// 1 1 999
	// <nil>
}

func ExampleParseUnshare() {
	// util-linux 2.38 takes outer,inner,count: host side first.
	m, _ := idmap.ParseUnshare("100000,0,65536")
	fmt.Print(m)
	// The same order as podman's, by mistake, maps the other way round.
	wrong, _ := idmap.ParseUnshare("0,100000,65536")
	fmt.Print(wrong)
	fmt.Println(strings.Join(m.FormatUnshare(), " "), m.FormatPodman())
	// util-linux 2.39 and later also take inner:outer:count.
	newer, _ := idmap.ParseUnshare("0:100000:65536")
	fmt.Println(newer.Equal(m))
	// Output:
	// 0 100000 65536
	// 100000 0 65536
	// 100000,0,65536 0:100000:65536
	// true
}

func ExampleParsePodmanRelative() {
	// Rootless podman for uid 1000 with 100000:65536 in /etc/subuid runs
	// in this map; "@1000" names host uid 1000, which is 0 in it.
	self := idmap.MustNew(
		idmap.Range{ContainerID: 0, HostID: 1000, Size: 1},
		idmap.Range{ContainerID: 1, HostID: 100000, Size: 65536},
	)
	m, err := idmap.ParsePodmanRelative("0:@1000:1,1:1:65536", self)
	fmt.Print(m)
	fmt.Println(err)
	// Output:
	// 0 0 1
	// 1 1 65536
	// <nil>
}

func ExampleRootlessMap() {
	subs, err := idmap.ParseSubIDs(strings.NewReader("# /etc/subuid\nalice:100000:65536\n"))
	if err != nil {
		panic(err)
	}
	m, err := idmap.RootlessMap(1000, idmap.SelectSubIDs(subs, "alice", "1000"))
	fmt.Print(m)
	fmt.Println(err)
	// Output:
	// 0 1000 1
	// 1 100000 65536
	// <nil>
}

func ExampleParseSubIDs() {
	// shadow-utils reads numbers as C does: a leading 0 is octal.
	subs, err := idmap.ParseSubIDs(strings.NewReader("alice:0100000:65536\n"))
	fmt.Println(subs, err)
	_, err = idmap.ParseSubIDs(strings.NewReader("alice:100000:65536\nbob:1e5:65536\n"))
	fmt.Println(err)
	// Output:
	// [alice:32768:65536] <nil>
	// idmap.ParseSubIDs: line 2: field 2: parsing "1e5": invalid syntax
}

func ExampleReadUIDMap() {
	// The caller's own map, as the caller's namespace sees it. In the
	// initial namespace it is "0 0 4294967295".
	m, err := idmap.ReadUIDMap(0)
	if err != nil {
		fmt.Println(err)
		return
	}
	root, ok := m.ToHost(0)
	fmt.Println(root, ok)
}
