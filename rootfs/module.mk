# Guest root filesystems: build/rootfs-dir, the host directory for the
# hostfs root, and build/rootfs.ext4, the ext4 image made from it
# (Documentation/default-image.md).
#
# One recipe makes both, the image right after the directory: the
# directory is a live root that guests write into (utmp, wtmp, a shell
# history), so an image made from it later would not be reproducible.
# Removing either the stamp or the image rebuilds both.
ROOTFS_DIR := $(B)/rootfs-dir
ROOTFS_STAMP := $(B)/.rootfs-dir.stamp
ROOTFS_IMAGE := $(B)/rootfs.ext4

define ROOTFS_BUILD
	@mkdir -p $(B)
	@sh rootfs/build-rootfs.sh $(ROOTFS_DIR)
	@touch $(ROOTFS_STAMP)
	@sh rootfs/build-image.sh $(ROOTFS_DIR) $(ROOTFS_IMAGE)
endef

$(ROOTFS_STAMP): rootfs/build-rootfs.sh rootfs/host-programs.sh rootfs/init rootfs/build-image.sh rootfs/mke2fs.conf
	$(ROOTFS_BUILD)

$(ROOTFS_IMAGE): $(ROOTFS_STAMP)
	$(ROOTFS_BUILD)

rootfs: $(ROOTFS_STAMP) $(ROOTFS_IMAGE)
CLEAN_FILES += $(ROOTFS_DIR) $(ROOTFS_STAMP) $(ROOTFS_IMAGE)
