# ext2/3/4 through libext2fs: the host half links against e2fsprogs.
UMK_LDLIBS += -lext2fs -lcom_err
