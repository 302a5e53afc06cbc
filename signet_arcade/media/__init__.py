"""Screenshots, live recording and the offline renderer.

screenshot.py   save_screenshot(surface, path_or_dir)
live.py         LiveRecording: what the app wires in (F9 record, F12 screenshot, REC badge, notices)
recorder.py     Recorder: frames -> MP4 in a separate encoder process, dropping rather than waiting
render.py       render_video(): `signet-arcade render`, a deterministic time-lapse
encoder.py      VideoEncoder (imageio-ffmpeg, H.264 yuv420p), shared by recorder and renderer

Nothing is imported here: the encoder process needs only encoder_process.py and encoder.py (no pygame).
"""
