package caps_test

import (
	"fmt"

	"github.com/nonroot-go/nonroot/caps"
)

func ExampleParse() {
	s, err := caps.Parse("CAP_CHOWN, sys_admin,NET_RAW")
	if err != nil {
		panic(err)
	}
	fmt.Println(s)
	fmt.Println(s.Format(caps.Docker))
	fmt.Println(s.Mask())
	// Output:
	// cap_chown,cap_net_raw,cap_sys_admin
	// CHOWN,NET_RAW,SYS_ADMIN
	// 0x202001
}

func ExampleSet_Has() {
	fmt.Println(caps.DockerDefault.Has(21), caps.DockerDefault.Len())
	fmt.Println(caps.DockerDefault.Format(caps.Libcapng))
	// Output:
	// false 14
	// chown,dac_override,fowner,fsetid,kill,setgid,setuid,setpcap,net_bind_service,net_raw,sys_chroot,mknod,audit_write,setfcap
}

func ExampleParseText() {
	s, err := caps.ParseText("cap_chown,cap_kill=ep cap_kill-e cap_setuid+i")
	if err != nil {
		panic(err)
	}
	fmt.Println("effective:", s.Effective)
	fmt.Println("permitted:", s.Permitted)
	fmt.Println("inheritable:", s.Inheritable)
	fmt.Println(s.Text())
	// Output:
	// effective: cap_chown
	// permitted: cap_chown,cap_kill
	// inheritable: cap_setuid
	// cap_setuid=i cap_chown+ep cap_kill+p
}

func ExampleSets_Diff() {
	before := caps.Sets{Effective: caps.DockerDefault, Bounding: caps.DockerDefault}
	after := before
	after.Effective = after.Effective.Without(0).With(21)
	fmt.Println(before.Diff(after))
	// Output:
	// effective: +cap_sys_admin -cap_chown
}

func ExampleParseFileCaps() {
	// security.capability of a file after setcap -n 100000 cap_net_bind_service=ep
	raw := []byte{1, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xa0, 0x86, 1, 0}
	fc, err := caps.ParseFileCaps(raw)
	if err != nil {
		panic(err)
	}
	fmt.Println(fc.Version, fc.RootUID, fc.Permitted, fc.Effective)
	fmt.Println(fc)
	// Output:
	// 3 100000 cap_net_bind_service true
	// cap_net_bind_service=ep [rootid=100000]
}
