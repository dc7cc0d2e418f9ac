#ifndef CFFMPEG_SHIM_H
#define CFFMPEG_SHIM_H
#include <errno.h>
#include <libavdevice/avdevice.h>
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/avutil.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>

// Function-like macros do not import into Swift: these expose the values they compute.

/// AVERROR(e): FFmpeg's negative error code for the POSIX errno `e`.
static inline int cffmpeg_averror(int e) { return AVERROR(e); }
/// AVERROR_EOF.
static inline int cffmpeg_averror_eof(void) { return AVERROR_EOF; }
/// AVERROR_EXIT (an interrupt callback stopped the call).
static inline int cffmpeg_averror_exit(void) { return AVERROR_EXIT; }
/// AV_NOPTS_VALUE.
static inline int64_t cffmpeg_nopts_value(void) { return AV_NOPTS_VALUE; }


#ifdef __linux__
#include <sys/ioctl.h>
#include <linux/videodev2.h>
// V4L2 enumeration ioctls (their request numbers are function-like macros, and ioctl is variadic).
static inline int cffmpeg_v4l2_enum_fmt(int fd, struct v4l2_fmtdesc *d) { return ioctl(fd, VIDIOC_ENUM_FMT, d); }
static inline int cffmpeg_v4l2_enum_framesizes(int fd, struct v4l2_frmsizeenum *d) {
    return ioctl(fd, VIDIOC_ENUM_FRAMESIZES, d);
}
static inline int cffmpeg_v4l2_enum_frameintervals(int fd, struct v4l2_frmivalenum *d) {
    return ioctl(fd, VIDIOC_ENUM_FRAMEINTERVALS, d);
}
static inline int cffmpeg_v4l2_querycap(int fd, struct v4l2_capability *c) { return ioctl(fd, VIDIOC_QUERYCAP, c); }
#endif
#endif
