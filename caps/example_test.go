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

// Every dialect people type reads into the same Set; capabilities newer
// than the name table stay numbers.
func ExampleParse_dialects() {
	for _, text := range []string{
		"CAP_NET_ADMIN,CAP_CHOWN",          // the kernel's constants, the OCI spec
		"net_admin, chown",                 // libcap-ng (pscap, filecap)
		"NET_ADMIN,cap_chown",              // docker --cap-add, mixed with libcap
		"cap_chown,cap_net_admin=ep",       // libcap's text form (getpcaps, capsh)
		"12,0",                             // numbers
		"0x1001",                           // a mask, as capsh --decode takes
		"Net_Admin,chown,45",               // any case; 45 has no name yet
		"cap_chown+p cap_net_admin=i-i+ep", // libcap text, several clauses
	} {
		s, err := caps.Parse(text)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%-36q %s %s\n", text, s.Mask(), s)
	}
	_, err := caps.Parse("CAP_SYS_ADMNI")
	fmt.Println(err != nil)
	// Output:
	// "CAP_NET_ADMIN,CAP_CHOWN"            0x1001 cap_chown,cap_net_admin
	// "net_admin, chown"                   0x1001 cap_chown,cap_net_admin
	// "NET_ADMIN,cap_chown"                0x1001 cap_chown,cap_net_admin
	// "cap_chown,cap_net_admin=ep"         0x1001 cap_chown,cap_net_admin
	// "12,0"                               0x1001 cap_chown,cap_net_admin
	// "0x1001"                             0x1001 cap_chown,cap_net_admin
	// "Net_Admin,chown,45"                 0x200000001001 cap_chown,cap_net_admin,45
	// "cap_chown+p cap_net_admin=i-i+ep"   0x1001 cap_chown,cap_net_admin
	// true
}

func ExampleSet_String() {
	fmt.Printf("%q\n", caps.Set(0))
	fmt.Println(caps.SetOf(21, 0, 45))
	fmt.Println(caps.SetOf(21, 0, 45).Format(caps.Kernel))
	fmt.Println(caps.SetOf(21, 0, 45).Format(caps.Number))
	// Output:
	// ""
	// cap_chown,cap_sys_admin,45
	// CAP_CHOWN,CAP_SYS_ADMIN,45
	// 0,21,45
}

func ExampleDockerDefault() {
	fmt.Println(caps.DockerDefault.Mask(), caps.DockerDefault.Len())
	fmt.Println(caps.DockerDefault.Format(caps.Docker))
	// What a container asking for --cap-add=SYS_ADMIN --cap-drop=NET_RAW gets.
	add, _ := caps.Parse("SYS_ADMIN")
	drop, _ := caps.Parse("NET_RAW")
	fmt.Println(caps.Changes(caps.DockerDefault, caps.DockerDefault.Union(add).Difference(drop)))
	// Output:
	// 0xa80425fb 14
	// CHOWN,DAC_OVERRIDE,FOWNER,FSETID,KILL,SETGID,SETUID,SETPCAP,NET_BIND_SERVICE,NET_RAW,SYS_CHROOT,MKNOD,AUDIT_WRITE,SETFCAP
	// +cap_sys_admin -cap_net_raw
}

// A diff names what each set gained and lost, here a process that
// dropped its bounding set to the docker default and raised an ambient
// capability.
func ExampleDiff() {
	all := caps.Named
	before := caps.Sets{Effective: all, Permitted: all, Bounding: all}
	after := before
	after.Bounding = caps.DockerDefault
	after.Inheritable = caps.SetOf(10)
	after.Ambient = caps.SetOf(10)
	d := before.Diff(after)
	fmt.Println(d.Bounding.Gained.IsEmpty(), d.Bounding.Lost.Len())
	fmt.Println(d.Ambient)
	fmt.Println(d.Effective.IsZero())
	// Output:
	// true 27
	// +cap_net_bind_service
	// true
}
