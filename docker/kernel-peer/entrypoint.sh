#!/bin/bash
# Entry point of the kernel-peer image (see Dockerfile). Environment:
#   JTIPC_MODE       qemu (default) or native
#   JTIPC_NAME       the node's host name (default: the container's)
#   JTIPC_MEMORY_MB  guest memory, MiB (default 256)
#   JTIPC_KERNEL_ARGS  extra kernel command line (default jtipc.modopt=virtio_net:napi_tx=0, as the lab)
# qemu mode: eth0's address and the Docker network's segment go to the guest: br0 joins eth0 and tap0,
# the container keeps no address of its own, the guest's eth0 (MAC 52:54:00 + eth0's last three bytes)
# takes eth0's IPv4 address. The guest console is this process's output; "JTIPC-LAB: ready" says the
# guest's control server runs (tipc-node-exec talks to it on 127.0.0.1:7100).
# no_timer_check: under qemu TCG on a loaded host the guest's check of the IO-APIC timer IRQ can fail and
# panic the boot ("IO-APIC + timer doesn't work!", seen with two guests booting on two busy cores).
set -euo pipefail
mode=${JTIPC_MODE:-qemu}
name=${JTIPC_NAME:-$(hostname)}
if [ "$mode" = native ]; then
  [ -d /sys/module/tipc ] || { echo "JTIPC-LAB: module-failed tipc (not loaded in the Docker host kernel)"; exit 1; }
  echo "JTIPC-LAB: ready $name native $(uname -r)"
  exec sleep infinity
fi
addr=$(ip -4 -o addr show dev eth0 | awk '{print $4; exit}')
mac=$(cat /sys/class/net/eth0/address)
gmac=52:54:00:${mac#*:*:*:}
ip addr flush dev eth0
ip link add br0 type bridge
ip tuntap add dev tap0 mode tap
ip link set eth0 master br0
ip link set tap0 master br0
ip link set tap0 up
ip link set br0 up
echo "JTIPC-LAB: booting $name guest MAC $gmac address ${addr:-none}"
exec qemu-system-x86_64 -name "$name" -accel tcg -cpu max -smp 1 -m "${JTIPC_MEMORY_MB:-256}" \
  -nodefaults -no-user-config -display none -no-reboot -monitor none \
  -kernel /jtipc/vmlinuz -initrd /jtipc/initrd.gz \
  -append "console=ttyS0 quiet panic=-1 no_timer_check jtipc.name=$name ${addr:+jtipc.ip=$addr} ${JTIPC_KERNEL_ARGS:-jtipc.modopt=virtio_net:napi_tx=0}" \
  -chardev stdio,id=con,signal=off -serial chardev:con \
  -netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
  -device "virtio-net-pci,netdev=n0,mac=$gmac,romfile=" \
  -device virtio-serial-pci \
  -chardev socket,id=ctl,host=127.0.0.1,port=7100,server=on,wait=off \
  -device virtserialport,chardev=ctl,name=ctl
