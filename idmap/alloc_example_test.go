package idmap_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/nonroot-go/nonroot/idmap"
)

func ExampleAllocator() {
	dir, _ := os.MkdirTemp("", "alloc")
	defer os.RemoveAll(dir)
	a := &idmap.Allocator{
		Path: filepath.Join(dir, "ids.json"),
		// Such as the line "containers:100000:655360" of /etc/subuid.
		Pool: []idmap.Block{{Start: 100000, Size: 655360}},
	}
	web, _ := a.Allocate("web", 0)
	db, _ := a.Allocate("db", 0)
	again, _ := a.Allocate("web", 0)
	fmt.Println(web.Block, db.Block, again == web)

	m, _ := db.Map()
	fmt.Print("db's uid_map: ", m)

	a.Release("web")
	list, _ := a.List()
	fmt.Println(list)
	// Output:
	// 100000-165535 165536-231071 true
	// db's uid_map: 0 165536 65536
	// ["db" 165536-231071]
}
