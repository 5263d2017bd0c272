# Network cards: the transports' host libraries (libslirp for slirp,
# libpcap for pcap, libvdeplug for vde). libslirp's pkg-config file asks
# for glib's headers, which its header does not need: link it by name.
UMK_LDLIBS += -lslirp -lpcap -lvdeplug
