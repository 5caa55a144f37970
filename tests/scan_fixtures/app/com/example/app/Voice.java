package com.example.app;

import android.media.AudioRecord;
import android.media.MediaRecorder;

public class Voice {
    public void record() {
        AudioRecord r = new AudioRecord(1, 44100, 16, 2, 4096);
        r.startRecording();
    }

    public void memo(MediaRecorder recorder) {
        recorder.setAudioSource(1);
    }
}
