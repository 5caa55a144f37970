package android.media;

public class MediaRecorder { public void setAudioSource(int s) { } }
