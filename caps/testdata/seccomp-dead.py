# Prints its pid, then has seccomp kill its main thread
# (SECCOMP_RET_KILL_THREAD on getppid) while a second thread sleeps for
# argv[1] seconds: the leader stays a zombie with "Seccomp: 3".
import ctypes, os, struct, sys, threading, time

libc = ctypes.CDLL(None, use_errno=True)


def insn(code, k, jt=0, jf=0):
    return struct.pack("HBBI", code, jt, jf, k)


# ld [nr]; jeq #110 (getppid, x86-64), kill thread; allow
prog = insn(0x20, 0) + insn(0x15, 110, 0, 1) + insn(0x06, 0) + insn(0x06, 0x7FFF0000)
buf = ctypes.create_string_buffer(prog)


class Fprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


fp = Fprog(len(prog) // 8, ctypes.addressof(buf))
threading.Thread(target=time.sleep, args=(float(sys.argv[1]),)).start()
print(os.getpid(), flush=True)
if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
    sys.exit("PR_SET_NO_NEW_PRIVS: errno %d" % ctypes.get_errno())
if libc.prctl(22, 2, ctypes.byref(fp), 0, 0) != 0:  # PR_SET_SECCOMP, this thread only
    sys.exit("PR_SET_SECCOMP: errno %d" % ctypes.get_errno())
libc.syscall(110)
