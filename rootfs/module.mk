# Guest root filesystems (host directories for the hostfs root).
ROOTFS_DIR := $(B)/rootfs-dir
ROOTFS_STAMP := $(B)/.rootfs-dir.stamp

$(ROOTFS_STAMP): rootfs/build-rootfs.sh rootfs/init
	@mkdir -p $(B)
	@sh rootfs/build-rootfs.sh $(ROOTFS_DIR)
	@touch $@

rootfs: $(ROOTFS_STAMP)
CLEAN_FILES += $(ROOTFS_DIR) $(ROOTFS_STAMP)
