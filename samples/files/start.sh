#!/bin/sh
echo "start"
